// Sizes and names of the negotiable algorithms (RFC 2409 appendix A attribute values map onto these enums).
#include "ike/crypto/botan_names.hpp"
#include "ike/crypto/crypto.hpp"

namespace ravpn::crypto {

size_t hash_size(HashAlg alg) {
  switch (alg) {
    case HashAlg::Md5: return 16;
    case HashAlg::Sha1: return 20;
    case HashAlg::Sha256: return 32;
    case HashAlg::Sha384: return 48;
    case HashAlg::Sha512: return 64;
  }
  return 0;
}

size_t cipher_key_size(CipherAlg alg) {
  switch (alg) {
    case CipherAlg::Des: return 8;
    case CipherAlg::TripleDes: return 24;
    case CipherAlg::Aes128: return 16;
    case CipherAlg::Aes192: return 24;
    case CipherAlg::Aes256: return 32;
  }
  return 0;
}

size_t cipher_block_size(CipherAlg alg) {
  switch (alg) {
    case CipherAlg::Des:
    case CipherAlg::TripleDes: return 8;
    case CipherAlg::Aes128:
    case CipherAlg::Aes192:
    case CipherAlg::Aes256: return 16;
  }
  return 0;
}

const char* name(HashAlg alg) {
  switch (alg) {
    case HashAlg::Md5: return "MD5";
    case HashAlg::Sha1: return "SHA1";
    case HashAlg::Sha256: return "SHA256";
    case HashAlg::Sha384: return "SHA384";
    case HashAlg::Sha512: return "SHA512";
  }
  return "?";
}

const char* name(CipherAlg alg) {
  switch (alg) {
    case CipherAlg::Des: return "DES-CBC";
    case CipherAlg::TripleDes: return "3DES-CBC";
    case CipherAlg::Aes128: return "AES-CBC-128";
    case CipherAlg::Aes192: return "AES-CBC-192";
    case CipherAlg::Aes256: return "AES-CBC-256";
  }
  return "?";
}

bool is_weak(HashAlg alg) { return alg == HashAlg::Md5; }

bool is_weak(CipherAlg alg) { return alg == CipherAlg::Des || alg == CipherAlg::TripleDes; }

namespace detail {

const char* botan_hash_name(HashAlg alg) {
  switch (alg) {
    case HashAlg::Md5: return "MD5";
    case HashAlg::Sha1: return "SHA-160";
    case HashAlg::Sha256: return "SHA-256";
    case HashAlg::Sha384: return "SHA-384";
    case HashAlg::Sha512: return "SHA-512";
  }
  return "";
}

const char* botan_cipher_name(CipherAlg alg) {
  switch (alg) {
    case CipherAlg::Des: return "DES";
    case CipherAlg::TripleDes: return "TripleDES";
    case CipherAlg::Aes128: return "AES-128";
    case CipherAlg::Aes192: return "AES-192";
    case CipherAlg::Aes256: return "AES-256";
  }
  return "";
}

}  // namespace detail
}  // namespace ravpn::crypto
