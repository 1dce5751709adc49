# Merges static libraries into one archive with GNU ar's MRI scripts (ar -M), so the
# installed librtpu.a holds every folder's library (and the verilated RTL models when
# built) and a user links one archive. Called by cmake/install.cmake:
#   cmake -DAR=ar -DOUTPUT=librtpu.a -DINPUTS="a.a|b.a" -P merge_archives.cmake
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(script "${OUTPUT}.mri")
file(WRITE ${script} "create ${OUTPUT}.tmp\n")
foreach(lib ${INPUTS})
  file(APPEND ${script} "addlib ${lib}\n")
endforeach()
file(APPEND ${script} "save\nend\n")
file(REMOVE ${OUTPUT}.tmp)
execute_process(COMMAND ${AR} -M INPUT_FILE ${script} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "merging ${INPUTS} into ${OUTPUT} failed (${rc})")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
