# eBPF programs: compiled by clang for the BPF target, then turned into a libbpf skeleton
# header by bpftool (docs/attribution.md). The object is embedded in the skeleton, so the
# wtfn binary carries its programs and needs no file at run time.
find_program(WTFN_BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(WTFN_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)
pkg_check_modules(LIBBPF REQUIRED IMPORTED_TARGET libbpf)

# Multiarch include dir for <asm/types.h>, which the BPF target does not find by itself.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-multiarch
    OUTPUT_VARIABLE WTFN_MULTIARCH OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    set(WTFN_BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
    set(WTFN_BPF_ARCH arm64)
else()
    set(WTFN_BPF_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()

# wtfn_bpf_skeleton(<out_var> <name> <source.bpf.c> <headers...>): builds <name>.skel.h in
# the binary dir and sets <out_var> to its path.
function(wtfn_bpf_skeleton out_var name source)
    set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
    set(linked ${CMAKE_CURRENT_BINARY_DIR}/${name}.linked.o)
    set(skel ${CMAKE_CURRENT_BINARY_DIR}/${name}.skel.h)
    add_custom_command(OUTPUT ${skel}
        COMMAND ${WTFN_BPF_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_${WTFN_BPF_ARCH}
            -Wall -Werror -I/usr/include/${WTFN_MULTIARCH} -I${CMAKE_CURRENT_SOURCE_DIR}/linux/bpf
            -c ${source} -o ${obj}
        COMMAND ${WTFN_BPFTOOL} gen object ${linked} ${obj}
        COMMAND ${WTFN_BPFTOOL} gen skeleton ${linked} name ${name} > ${skel}
        DEPENDS ${source} ${ARGN}
        COMMENT "eBPF skeleton ${name}"
        VERBATIM)
    set(${out_var} ${skel} PARENT_SCOPE)
endfunction()
