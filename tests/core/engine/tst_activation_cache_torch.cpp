// The activation cache on its own (issue 16): hits, least-recently-used eviction under a byte
// limit, entries larger than the limit, one computation per key however many threads ask, and
// errors reaching the thread that computed.
#include <torch/types.h>
#include <QtTest/QtTest>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "engine/ActivationCache.h"

using namespace mu2net;

namespace {

ActivationKey key(std::vector<int64_t> ids, const std::string& subset = "digits/validation") {
  ActivationKey k;
  k.componentIds = std::move(ids);
  k.imageSize = 28;
  k.subset = subset;
  return k;
}

// `floats` float32 values in one batch, all equal to `value`.
ActivationCache::Batches batchesOf(int64_t floats, float value) {
  return {torch::full({floats}, value, torch::kFloat)};
}

constexpr std::size_t kKiB = 1024;

}  // namespace

class TestActivationCache : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void hitsReturnTheComputedBatches() {
    ActivationCache cache(64 * kKiB);
    int computed = 0;
    const auto compute = [&] {
      ++computed;
      return batchesOf(256, 1.5f);
    };
    const auto first = cache.getOrCompute(key({1, 2}), compute);
    const auto second = cache.getOrCompute(key({1, 2}), compute);
    QCOMPARE(computed, 1);
    QCOMPARE(first.get(), second.get());
    QVERIFY(torch::equal((*second)[0], torch::full({256}, 1.5f)));
    QVERIFY(cache.find(key({1, 2})) != nullptr);
    // Every part of the key matters.
    QVERIFY(cache.find(key({1})) == nullptr);
    QVERIFY(cache.find(key({1, 2}, "digits/test")) == nullptr);
    ActivationKey otherSize = key({1, 2});
    otherSize.imageSize = 24;
    QVERIFY(cache.find(otherSize) == nullptr);
    ActivationKey otherPrecision = key({1, 2});
    otherPrecision.precision = 2;
    QVERIFY(cache.find(otherPrecision) == nullptr);
    const ActivationCacheStats s = cache.stats();
    QCOMPARE(s.hits, int64_t{1});
    QCOMPARE(s.misses, int64_t{1});
    QCOMPARE(s.entries, std::size_t{1});
    QCOMPARE(s.bytes, std::size_t{1024});
    QCOMPARE(s.maxBytes, 64 * kKiB);
  }

  void leastRecentlyUsedIsEvictedFirst() {
    ActivationCache cache(3 * kKiB);  // room for three entries of 1 KiB
    for (int64_t id : {1, 2, 3})
      cache.getOrCompute(key({id}), [&] { return batchesOf(256, float(id)); });
    QVERIFY(cache.find(key({1})) != nullptr);  // 1 is now the most recently used
    cache.getOrCompute(key({4}), [] { return batchesOf(256, 4.f); });
    QVERIFY(cache.find(key({2})) == nullptr);  // the least recently used went
    QVERIFY(cache.find(key({1})) != nullptr);
    QVERIFY(cache.find(key({3})) != nullptr);
    QVERIFY(cache.find(key({4})) != nullptr);
    QCOMPARE(cache.stats().evicted, int64_t{1});
    QCOMPARE(cache.stats().bytes, 3 * kKiB);
    // A larger entry evicts as many as it needs.
    cache.getOrCompute(key({5}), [] { return batchesOf(512, 5.f); });
    QCOMPARE(cache.stats().entries, std::size_t{2});
    QVERIFY(cache.stats().bytes <= 3 * kKiB);
    QVERIFY(cache.find(key({5})) != nullptr);
  }

  void anEntryLargerThanTheLimitIsUsedButNotKept() {
    ActivationCache cache(kKiB);
    cache.getOrCompute(key({1}), [] { return batchesOf(128, 1.f); });
    const auto big = cache.getOrCompute(key({2}), [] { return batchesOf(1024, 2.f); });
    QCOMPARE((*big)[0].numel(), int64_t{1024});
    QVERIFY(cache.find(key({2})) == nullptr);
    QVERIFY(cache.find(key({1})) != nullptr);  // nothing was evicted for it
    cache.clear();
    QCOMPARE(cache.stats().entries, std::size_t{0});
    QCOMPARE(cache.stats().bytes, std::size_t{0});
  }

  void eachKeyIsComputedOnceAcrossThreads() {
    ActivationCache cache(64 * kKiB);
    std::atomic<int> computed{0};
    std::atomic<bool> release{false};
    const auto compute = [&] {
      ++computed;
      while (!release)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return batchesOf(256, 3.f);
    };
    std::vector<std::thread> threads;
    std::vector<std::shared_ptr<const ActivationCache::Batches>> results(4);
    for (std::size_t i = 0; i < results.size(); ++i)
      threads.emplace_back([&, i] { results[i] = cache.getOrCompute(key({7}), compute); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    release = true;
    for (auto& t : threads)
      t.join();
    QCOMPARE(computed.load(), 1);
    for (const auto& r : results)
      QCOMPARE(r.get(), results[0].get());
    QCOMPARE(cache.stats().misses, int64_t{1});
    QCOMPARE(cache.stats().hits, int64_t{3});
  }

  void aFailedComputationIsNotCached() {
    ActivationCache cache(64 * kKiB);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             cache.getOrCompute(key({9}), []() -> ActivationCache::Batches {
                               throw std::runtime_error("out of memory");
                             }));
    QVERIFY(cache.find(key({9})) == nullptr);
    const auto ok = cache.getOrCompute(key({9}), [] { return batchesOf(16, 9.f); });
    QCOMPARE((*ok)[0].numel(), int64_t{16});
  }
};

QTEST_GUILESS_MAIN(TestActivationCache)
#include "tst_activation_cache_torch.moc"
