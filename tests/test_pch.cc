// Compiled with the precompiled Boost.Test header and nothing else, so that
// the header is built once for every test program (tests/CMakeLists.txt).
