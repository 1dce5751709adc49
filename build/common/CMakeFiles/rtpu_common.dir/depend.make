# Empty dependencies file for rtpu_common.
# This may be replaced when dependencies are built.
