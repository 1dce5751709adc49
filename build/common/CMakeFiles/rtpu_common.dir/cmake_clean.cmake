file(REMOVE_RECURSE
  "CMakeFiles/rtpu_common.dir/activation.c.o"
  "CMakeFiles/rtpu_common.dir/activation.c.o.d"
  "CMakeFiles/rtpu_common.dir/error.c.o"
  "CMakeFiles/rtpu_common.dir/error.c.o.d"
  "CMakeFiles/rtpu_common.dir/tensor.c.o"
  "CMakeFiles/rtpu_common.dir/tensor.c.o.d"
  "librtpu_common.a"
  "librtpu_common.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/rtpu_common.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
