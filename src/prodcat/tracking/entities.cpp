#include "prodcat/tracking/entities.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "prodcat/tracking/registry_entities.h"

namespace prodcat::tracking {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

template <typename T>
const T* FindByKey(const std::vector<T>& items, std::string_view key) {
  for (const auto& item : items) {
    if (item.key == key) return &item;
  }
  return nullptr;
}

}  // namespace

const char* RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning: return "RUNNING";
    case RunStatus::kScheduled: return "SCHEDULED";
    case RunStatus::kFinished: return "FINISHED";
    case RunStatus::kFailed: return "FAILED";
    case RunStatus::kKilled: return "KILLED";
  }
  return "RUNNING";
}

bool ParseRunStatus(std::string_view text, RunStatus* status) {
  for (RunStatus s : {RunStatus::kRunning, RunStatus::kScheduled, RunStatus::kFinished,
                      RunStatus::kFailed, RunStatus::kKilled}) {
    if (EqualsIgnoreCase(text, RunStatusName(s)) || text == std::to_string(static_cast<int>(s))) {
      *status = s;
      return true;
    }
  }
  return false;
}

bool ParseViewType(std::string_view text, ViewType* view) {
  struct Name {
    const char* name;
    ViewType view;
  };
  for (const Name& n :
       {Name{"ACTIVE_ONLY", ViewType::kActiveOnly}, Name{"DELETED_ONLY", ViewType::kDeletedOnly},
        Name{"ALL", ViewType::kAll}}) {
    if (EqualsIgnoreCase(text, n.name) || text == std::to_string(static_cast<int>(n.view))) {
      *view = n.view;
      return true;
    }
  }
  return false;
}

const Metric* Run::FindMetric(std::string_view key) const {
  return FindByKey(metrics, key);
}
const std::string* Run::FindParam(std::string_view key) const {
  const KeyValue* kv = FindByKey(params, key);
  return kv ? &kv->value : nullptr;
}
const std::string* Run::FindTag(std::string_view key) const {
  const KeyValue* kv = FindByKey(tags, key);
  return kv ? &kv->value : nullptr;
}

const std::string* ModelVersion::FindTag(std::string_view key) const {
  const KeyValue* kv = FindByKey(tags, key);
  return kv ? &kv->value : nullptr;
}

const char* ModelStageName(ModelStage stage) {
  switch (stage) {
    case ModelStage::kNone: return "None";
    case ModelStage::kStaging: return "Staging";
    case ModelStage::kProduction: return "Production";
    case ModelStage::kArchived: return "Archived";
  }
  return "None";
}

Status ParseModelStage(std::string_view text, ModelStage* stage) {
  for (ModelStage s :
       {ModelStage::kNone, ModelStage::kStaging, ModelStage::kProduction, ModelStage::kArchived}) {
    if (EqualsIgnoreCase(text, ModelStageName(s))) {
      *stage = s;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("Invalid Model Version stage: '" + std::string(text) +
                                 "'. Value must be one of None, Staging, Production, Archived.");
}

}  // namespace prodcat::tracking
