# wtfn::warnings — the warning set every target links privately (STYLE.md C14).
add_library(wtfn_warnings INTERFACE)
add_library(wtfn::warnings ALIAS wtfn_warnings)
target_compile_options(wtfn_warnings INTERFACE
    -Wall -Wextra -Wshadow -Wcast-align -Wcast-qual -Wpointer-arith -Wwrite-strings -Wundef
    -Wmissing-declarations -Wredundant-decls -Wformat=2 -Werror=vla -Werror=switch
    $<$<BOOL:${WTFN_WERROR}>:-Werror>)
# GCC 12 at -O3 reports std::string concatenations inside libstdc++ as overlapping memcpy
# (-Wrestrict false positives, GCC bugs 105329 and 105651): a Release build must not fail on
# them. The warning stays on for every other compiler and version.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(wtfn_warnings INTERFACE -Wno-restrict)
endif()

# Parsers of untrusted bytes also get the conversion warnings: silent narrowing of a
# length is how bounds checks go wrong.
add_library(wtfn_parser_warnings INTERFACE)
add_library(wtfn::parser_warnings ALIAS wtfn_parser_warnings)
target_compile_options(wtfn_parser_warnings INTERFACE -Wconversion -Wsign-conversion)
target_link_libraries(wtfn_parser_warnings INTERFACE wtfn_warnings)
