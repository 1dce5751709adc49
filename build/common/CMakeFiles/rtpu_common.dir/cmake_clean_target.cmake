file(REMOVE_RECURSE
  "librtpu_common.a"
)
