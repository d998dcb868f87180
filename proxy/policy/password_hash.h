// Checking a password against one htpasswd hash, as nginx's ngx_crypt()
// does for auth_basic_user_file: "$apr1$" (Apache's MD5-crypt), "{PLAIN}",
// "{SHA}" (base64 SHA-1), "{SSHA}" (salted SHA-1), and anything else through
// crypt(3) (libxcrypt: $1$ MD5-crypt, $5$/$6$ SHA-crypt, $2y$/$2b$/$2a$
// bcrypt, $y$ yescrypt, DES).
#pragma once

#include <string_view>

namespace sluice {

// True when `password` hashes to exactly `hash`. A password holding a NUL
// is cut there, as nginx hands C strings to crypt. bcrypt and yescrypt cost
// what their cost factor says, on the worker's thread (nginx does the same).
// worker-confined: crypt(3)'s scratch space and the digest context are
// thread-local.
bool verify_password(std::string_view hash, std::string_view password);

// ngx_decode_base64: stops at the first '=', refuses any other character
// outside the alphabet and a length of 4n+1. Writes at most
// in.size() * 3 / 4 + 1 bytes to `out`; returns their count, or -1.
long nginx_base64_decode(std::string_view in, unsigned char* out);

// The Apache MD5-crypt ("$apr1$salt$...") of `password` with the salt read
// from `setting`; exposed for tests.
bool apr1_matches(std::string_view hash, std::string_view password);

}  // namespace sluice
