# Writes OUTPUT (PROGRAM.1.gz), the man page of PROGRAM, with help2man from its --help output plus
# the sections in INCLUDE. Run with cmake -P (see CMakeLists.txt).
#
# The version is given (VERSION), not read from --version: help2man would put every line after
# the first (commit, library versions) into the description. The name line and the licence are in
# INCLUDE, whose UTF-8 help2man reads correctly (a "μ" given with --name is not).
get_filename_component(dir "${PROGRAM}" DIRECTORY)
get_filename_component(name "${PROGRAM}" NAME)
# By name, from PATH: the page then says "mu2net-workbench", not the build folder's path.
set(ENV{PATH} "${dir}:$ENV{PATH}")
set(ENV{QT_QPA_PLATFORM} offscreen)
# The help texts contain "μ": decoded and written as UTF-8.
set(ENV{LC_ALL} C.UTF-8)
string(REGEX REPLACE "\\.gz$" "" roff "${OUTPUT}")
get_filename_component(outdir "${OUTPUT}" DIRECTORY)
file(MAKE_DIRECTORY "${outdir}")
execute_process(COMMAND "${HELP2MAN}" --no-info --locale=C.UTF-8 "--version-string=${name} ${VERSION}"
                        "--include=${INCLUDE}" "--output=${roff}" "${name}"
                RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "help2man failed for ${name} (${failed})")
endif()
# -n: no time stamp in the archive, so the same page compresses to the same file.
execute_process(COMMAND "${GZIP}" -n -9 -f "${roff}" RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "gzip failed for ${roff} (${failed})")
endif()
