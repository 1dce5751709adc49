
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/common/activation.c" "common/CMakeFiles/rtpu_common.dir/activation.c.o" "gcc" "common/CMakeFiles/rtpu_common.dir/activation.c.o.d"
  "/work/main/common/error.c" "common/CMakeFiles/rtpu_common.dir/error.c.o" "gcc" "common/CMakeFiles/rtpu_common.dir/error.c.o.d"
  "/work/main/common/tensor.c" "common/CMakeFiles/rtpu_common.dir/tensor.c.o" "gcc" "common/CMakeFiles/rtpu_common.dir/tensor.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
