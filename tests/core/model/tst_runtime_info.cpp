// Proves which BLAS LibTorch really uses: the set-up must select the OpenMP build of OpenBLAS
// (the pthread build fights LibTorch's OpenMP threads; the reference BLAS is ~30x slower).
#include <QtTest/QtTest>

#include "mu2net/model/RuntimeInfo.h"

class TstRuntimeInfo : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void openMpOpenBlasIsLoaded() {
    const auto info = mu2net::runtimeInfo();
    qInfo("LibTorch %s, BLAS %s, %d thread(s)", info.torchVersion.c_str(),
          info.blasLibraries.c_str(), info.threads);
    QVERIFY2(!info.blasLibrary.empty(), "no BLAS library is mapped after a matrix product");
    QVERIFY2(info.blasIsOpenMpOpenBlas, info.blasLibraries.c_str());
    QVERIFY(!info.torchVersion.empty());
    QVERIFY(info.threads >= 1);
  }
};

QTEST_GUILESS_MAIN(TstRuntimeInfo)
#include "tst_runtime_info.moc"
