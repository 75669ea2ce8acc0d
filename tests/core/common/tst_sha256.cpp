// SHA-256 against the FIPS 180-4 / NIST example vectors, and streaming equivalence.
#include <QtTest/QtTest>

#include <string>

#include "common/Sha256.h"

using mu2net::Sha256;
using mu2net::sha256Hex;

class TstSha256 : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void knownVectors() {
    QCOMPARE(sha256Hex(""),
             std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(sha256Hex("abc"),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    // 56 bytes: the padding needs a second block.
    QCOMPARE(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
             std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    QCOMPARE(sha256Hex(std::string(1000000, 'a')),
             std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
  }

  void streamingEqualsOneShot() {
    std::string text;
    for (int i = 0; i < 1000; ++i)
      text.push_back(static_cast<char>((i * 37 + 11) % 256));
    const std::string expected = sha256Hex(text);
    for (std::size_t chunk : {1u, 3u, 63u, 64u, 65u, 200u}) {
      Sha256 hash;
      for (std::size_t pos = 0; pos < text.size(); pos += chunk)
        hash.update(std::string_view(text).substr(pos, chunk));
      QCOMPARE(hash.hexDigest(), expected);
    }
  }

  void u64IsLittleEndian() {
    Sha256 a;
    a.updateU64(0x0807060504030201ULL);
    QCOMPARE(a.hexDigest(), sha256Hex(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8)));
  }

  void oneBitChangesDigest() { QVERIFY(sha256Hex("abd") != sha256Hex("abc")); }
};

QTEST_GUILESS_MAIN(TstSha256)
#include "tst_sha256.moc"
