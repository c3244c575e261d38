# wtfn::warnings — the warning set every target links privately (STYLE.md C14).
add_library(wtfn_warnings INTERFACE)
add_library(wtfn::warnings ALIAS wtfn_warnings)
target_compile_options(wtfn_warnings INTERFACE
    -Wall -Wextra -Wshadow -Wcast-align -Wcast-qual -Wpointer-arith -Wwrite-strings -Wundef
    -Wmissing-declarations -Wredundant-decls -Wformat=2 -Werror=vla -Werror=switch
    $<$<BOOL:${WTFN_WERROR}>:-Werror>)

# Parsers of untrusted bytes also get the conversion warnings: silent narrowing of a
# length is how bounds checks go wrong.
add_library(wtfn_parser_warnings INTERFACE)
add_library(wtfn::parser_warnings ALIAS wtfn_parser_warnings)
target_compile_options(wtfn_parser_warnings INTERFACE -Wconversion -Wsign-conversion)
target_link_libraries(wtfn_parser_warnings INTERFACE wtfn_warnings)
