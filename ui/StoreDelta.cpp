#include "StoreDelta.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <exception>
#include <filesystem>

#include "mu2net/common/ErrorText.h"
#include "mu2net/evolution/System.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

namespace {

// Reads what the store gained; the graph of its last commit is read once, when needed.
class DeltaReader {
 public:
  DeltaReader(const ExperimentStore& store, StoreDelta& delta) : store_(store), d_(delta) {}

  // The task iteration in progress when following began: "training", not "interrupted".
  void reportIterationInProgress() {
    d_.cursor.startReported = true;
    if (!store_.hasState()) return;
    const StoreState st = store_.loadMetadata();
    const auto index = static_cast<std::size_t>(st.progress.taskIndex);
    if (st.progress.finished || !st.progress.taskStarted || index >= st.tasks.size()) return;
    startIteration(st.tasks[index].spec.name, st.tasks[index].iterationsDone + 1);
  }

  void addGenerationsAndChildren() {
    const std::vector<ChildRecord> children = store_.children();
    const std::vector<GenerationRecord> generations = store_.generations();
    std::size_t child = d_.cursor.children;
    for (const GenerationRecord& g : generations) {
      if (!d_.cursor.generations.insert(g.generation).second) continue;  // read before
      if (g.task != d_.cursor.task || g.iteration != d_.cursor.iteration)
        startIteration(g.task, g.iteration);
      d_.events.emplace_back(GenerationStartedEvent{g.task, g.iteration, g.generation,
                                                    g.dataHParams, g.dataMutations});
      for (; child < children.size() && children[child].generation <= g.generation; ++child)
        d_.events.emplace_back(children[child]);
    }
    for (; child < children.size(); ++child)
      d_.events.emplace_back(children[child]);
    d_.cursor.children = children.size();
    d_.childrenTrained = static_cast<qint64>(children.size());
  }

  void addStoredEvents() {
    const std::vector<StoredEvent> events = store_.events();
    for (std::size_t i = d_.cursor.events; i < events.size(); ++i)
      addStoredEvent(events[i]);
    d_.cursor.events = std::max(d_.cursor.events, events.size());
  }

  void finish(const ExperimentConfig& config) {
    d_.final = storedExperiment(store_, config);
    RunFinishedEvent end;
    end.stopped = !d_.final || !d_.final->finished;
    end.graph = d_.final ? d_.final->run.graph : graph();
    d_.events.emplace_back(std::move(end));
  }

 private:
  void startIteration(const std::string& task, int iteration) {
    d_.cursor.task = task;
    d_.cursor.iteration = iteration;
    d_.events.emplace_back(TaskIterationStartedEvent{task, iteration});
  }

  void addStoredEvent(const StoredEvent& e) {
    const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(e.json)).object();
    const auto text = [&o](const char* key) {
      return o.value(QLatin1String(key)).toString().toStdString();
    };
    const auto number = [&o](const char* key) { return o.value(QLatin1String(key)).toDouble(); };
    if (e.kind == "task_iteration_ended") {
      d_.events.emplace_back(TaskIterationEndedEvent{
          text("task"), static_cast<int>(number("iteration")),
          static_cast<int64_t>(number("retained_path")), number("validation_accuracy"),
          number("system_parameters"), graph()});
    } else if (e.kind == "test_evaluated") {
      d_.events.emplace_back(TestEvaluatedEvent{text("task"), static_cast<int64_t>(number("path")),
                                                number("test_accuracy"),
                                                static_cast<int64_t>(number("examples"))});
    } else if (e.kind == "task_added") {
      d_.events.emplace_back(TaskAddedEvent{text("task")});
    } else if (e.kind == "error") {
      d_.events.emplace_back(ErrorEvent{text("message")});
    }
    // run_finished: the writer's end is reported once it has let go of the store (finish()).
  }

  const GraphSnapshot& graph() {
    if (!graph_) graph_ = System(store_.loadMetadata().system).snapshot();
    return *graph_;
  }

  const ExperimentStore& store_;
  StoreDelta& d_;
  std::optional<GraphSnapshot> graph_;
};

}  // namespace

StoreCursor storeCursor(const ExperimentStore& store, std::size_t childrenShown) {
  StoreCursor c;
  c.children = childrenShown;
  c.events = store.events().size();
  const std::vector<GenerationRecord> generations = store.generations();
  for (const GenerationRecord& g : generations)
    c.generations.insert(g.generation);
  if (!generations.empty()) {
    c.task = generations.back().task;
    c.iteration = generations.back().iteration;
  }
  return c;
}

StoreDelta readStoreDelta(const QString& dir, const StoreCursor& from) {
  StoreDelta d;
  d.cursor = from;
  try {
    const std::filesystem::path path = dir.toStdString();
    // Checked before reading: when no process writes the store now, this read sees its end.
    d.writerDone = !ExperimentStore::isBeingWritten(path);
    const auto store = ExperimentStore::open(path, ExperimentStore::Mode::ReadOnly);
    const ExperimentConfig config = store->config();
    DeltaReader reader(*store, d);
    if (!from.startReported && !d.writerDone) reader.reportIterationInProgress();
    reader.addGenerationsAndChildren();
    reader.addStoredEvents();
    d.childrenPlanned = childrenPlanned(config, config.tasks.size());
    if (d.writerDone) reader.finish(config);
    if (store->isRemote()) d.leases = store->taskLeases();
  } catch (const std::exception& e) {
    d = StoreDelta{};
    d.cursor = from;
    d.error = QString::fromStdString(errorText(e));
  }
  return d;
}

}  // namespace mu2net::ui
