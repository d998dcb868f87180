// version_text: the facts come from the build (CMake defines, the compiler's
// own macros, OpenSSL's and Boost's version macros) and one from the running
// process (the OpenSSL library actually loaded, which may be newer).
#include "app/version.h"

#include <boost/version.hpp>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "sluice_git_commit.h"  // SLUICE_GIT_COMMIT, regenerated at each build (app/git_commit.cmake)

namespace sluice::app {

namespace {

std::string compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "GCC " __VERSION__;
#else
  return "unknown";
#endif
}

std::string boost_version() {
  return std::to_string(BOOST_VERSION / 100000) + '.' + std::to_string(BOOST_VERSION / 100 % 1000) + '.' +
         std::to_string(BOOST_VERSION % 100);
}

}  // namespace

std::string version_text() {
  std::string out = "sluice " SLUICE_VERSION "\n";
  out += "-------------------------------------------------------------------------------\n";
  out += "sluice: HTTP reverse proxy and Kubernetes Ingress controller\n";
  out += "  Release:       " SLUICE_VERSION "\n";
  out += "  Build:         " SLUICE_GIT_COMMIT "\n";
  out += "  Build type:    " SLUICE_BUILD_TYPE "\n";
  out += "  Compiler:      " + compiler() + "\n";
  out += "  OpenSSL:       " + std::string(OpenSSL_version(OPENSSL_VERSION)) + " (built with " OPENSSL_VERSION_TEXT ")\n";
  out += "  Boost:         " + boost_version() + "\n";
  out += "-------------------------------------------------------------------------------\n";
  return out;
}

}  // namespace sluice::app
