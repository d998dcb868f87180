// What `sluice --version` prints: the release, the commit and the build's
// facts, in the shape of ingress-nginx's version block.
#pragma once

#include <string>

namespace sluice::app {

// First line "sluice VERSION" (scripts and the image test read it), then a
// block: commit, build type, compiler, OpenSSL (built with and running),
// Boost.
std::string version_text();

}  // namespace sluice::app
