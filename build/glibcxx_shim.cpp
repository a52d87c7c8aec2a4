// Defines std::ios_base_library_init(), the one GCC 13 libstdc++ symbol (GLIBCXX_3.4.32) that TorchSharp's
// libLibTorchSharp.so needs. Built only where the system libstdc++ is older (Debian 12); see NativeCompat.targets.
#include <ios>
namespace std {
void ios_base_library_init() { static ios_base::Init init; }
}
