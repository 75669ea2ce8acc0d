#include "mu2net/engine/ExperimentRun.h"

#include <system_error>

namespace mu2net {

namespace fs = std::filesystem;

PreparedRun prepareRun(ExperimentConfig config, const fs::path& dir, EventSink* sink,
                       RunMetadata metadata) {
  PreparedRun run;
  if (ExperimentStore::isStore(dir)) {
    run.store = ExperimentStore::open(dir, ExperimentStore::Mode::ReadWrite);
    run.resumed = run.store->hasState();
    run.restarted = !run.resumed;
    if (run.resumed) config = mergeResumeConfig(run.store->config(), config);
    run.engine = std::make_unique<Engine>(config, sink, run.store.get());
    if (run.resumed) {
      run.store->replaceConfig(run.engine->config());
    } else {
      metadata.threads = config.training.threads;
      metadata.configHash = configHash(config);
      run.store->restartConfig(config, metadata);
    }
    return run;
  }
  metadata.threads = config.training.threads;
  metadata.configHash = configHash(config);
  if (isStoreUrl(dir.string())) {
    // A database without a store: the store's tables are created, and dropped again when the
    // engine refuses the configuration.
    run.store = ExperimentStore::create(dir, config, metadata);
    try {
      run.engine = std::make_unique<Engine>(config, sink, run.store.get());
    } catch (...) {
      run.store.reset();
      try {
        ExperimentStore::removeNew(dir);
      } catch (const StoreError&) {
        // The original error says what is wrong; a failure to tidy up must not hide it.
      }
      throw;
    }
    return run;
  }
  std::error_code ec;
  const bool existed = fs::exists(dir, ec);
  if (existed && !(fs::is_directory(dir, ec) && fs::is_empty(dir, ec)))
    throw StoreError(dir.string() +
                     " exists and is not an experiment store; choose an empty or new directory");
  run.store = ExperimentStore::create(dir, config, metadata);
  try {
    run.engine = std::make_unique<Engine>(config, sink, run.store.get());
  } catch (...) {
    // Nothing was committed: a store left here would only be in the way of the corrected
    // configuration, so the directory goes back to how it was.
    run.store.reset();
    if (existed)
      for (const auto& entry : fs::directory_iterator(dir, ec))
        fs::remove_all(entry.path(), ec);
    else
      fs::remove_all(dir, ec);
    throw;
  }
  return run;
}

}  // namespace mu2net
