file(REMOVE_RECURSE
  "CMakeFiles/rtpu.dir/main.c.o"
  "CMakeFiles/rtpu.dir/main.c.o.d"
  "rtpu"
  "rtpu.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/rtpu.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
