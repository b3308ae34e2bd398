// The one main() of every Boost.Test program (tests/CMakeLists.txt links it
// into each): a program holds the test files of one layer, each file a test
// suite named after it, which ctest runs as a test of its own.
#define BOOST_TEST_MODULE vigil
#include <boost/test/unit_test.hpp>
