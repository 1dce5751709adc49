# Empty compiler generated dependencies file for rtpu.
# This may be replaced when dependencies are built.
