# Sanitizer and hardened-stdlib switches, applied to the whole build so that every library
# and test binary is instrumented the same way.
if(WTFN_SANITIZE)
    string(REPLACE "," ";" _wtfn_san_list "${WTFN_SANITIZE}")
    string(REPLACE ";" "," _wtfn_san "${_wtfn_san_list}")
    add_compile_options(-fsanitize=${_wtfn_san} -fno-sanitize-recover=all -fno-omit-frame-pointer)
    add_link_options(-fsanitize=${_wtfn_san})
    # ASan alone misses reads past size() within capacity() (RELIABILITY.md §4).
    add_compile_definitions(_GLIBCXX_ASSERTIONS _GLIBCXX_SANITIZE_VECTOR)
endif()
if(WTFN_HARDENED_STDLIB)
    add_compile_definitions(_GLIBCXX_ASSERTIONS)
endif()
