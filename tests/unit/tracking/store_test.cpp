// The store conformance suite: the same tests against SQLite, PostgreSQL (a real server started
// by the test) and the REST store talking to an in-process tracking server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include "tracking_test_util.h"

namespace prodcat::tracking {
namespace {

using ::testing::HasSubstr;
using testing::OpenStoreUnderTest;
using testing::ScratchDir;
using testing::StoreUnderTest;

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    PRODCAT_REQUIRE_POSTGRES(GetParam());
    OpenStoreUnderTest(GetParam(), dir_, &sut_);
    ASSERT_NE(sut_.store, nullptr);
    store_ = sut_.store;
  }

  std::string NewExperiment(const std::string& name) {
    std::string id;
    Status s = store_->CreateExperiment(name, "", {}, &id);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return id;
  }

  tracking::Run NewRun(const std::string& experiment_id, const std::string& name = "",
                       std::vector<KeyValue> tags = {}) {
    CreateRunRequest r;
    r.experiment_id = experiment_id;
    r.run_name = name;
    r.tags = std::move(tags);
    tracking::Run run;
    Status s = store_->CreateRun(r, &run);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return run;
  }

  std::set<std::string> RunNames(const std::string& experiment_id, const std::string& filter,
                                 Status* status = nullptr) {
    RunSearch q;
    q.experiment_ids = {experiment_id};
    q.filter = filter;
    Page<tracking::Run> page;
    Status s = store_->SearchRuns(q, &page);
    if (status) *status = s;
    EXPECT_TRUE(status || s.ok()) << filter << ": " << s.ToString();
    std::set<std::string> names;
    for (const tracking::Run& r : page.items) names.insert(r.info.run_name);
    return names;
  }

  ScratchDir dir_;
  StoreUnderTest sut_;
  TrackingStore* store_ = nullptr;
};

TEST_P(StoreTest, ExperimentsLifecycleTagsSearchAndPaging) {
  Experiment def;
  ASSERT_TRUE(store_->GetExperiment("0", &def).ok());
  EXPECT_EQ(def.name, "Default");
  EXPECT_EQ(def.lifecycle_stage, "active");

  std::vector<KeyValue> tags = {{"team", "search"}};
  std::string id;
  ASSERT_TRUE(store_->CreateExperiment("exp-a", "", tags, &id).ok());
  EXPECT_NE(id, "0");
  Status dup = store_->CreateExperiment("exp-a", "", {}, &id);
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists) << dup.ToString();

  Experiment a;
  ASSERT_TRUE(store_->GetExperimentByName("exp-a", &a).ok());
  EXPECT_EQ(a.experiment_id, id);
  EXPECT_EQ(a.artifact_location, "mlflow-artifacts:/" + id);
  ASSERT_EQ(a.tags.size(), 1u);
  EXPECT_EQ(a.tags[0], (KeyValue{"team", "search"}));
  EXPECT_GT(a.creation_time, 0);
  EXPECT_EQ(store_->GetExperimentByName("nope", &a).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetExperiment("424242", &a).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetExperiment("abc", &a).code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE(store_->SetExperimentTag(id, "owner", "ana").ok());
  ASSERT_TRUE(store_->DeleteExperimentTag(id, "team").ok());
  EXPECT_EQ(store_->DeleteExperimentTag(id, "team").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->GetExperiment(id, &a).ok());
  ASSERT_EQ(a.tags.size(), 1u);
  EXPECT_EQ(a.tags[0].key, "owner");

  std::string b = NewExperiment("exp-b");
  EXPECT_EQ(store_->RenameExperiment(b, "exp-a").code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(store_->RenameExperiment(b, "exp-b2").ok());
  NewExperiment("other-c");
  NewExperiment("exp-d");

  ExperimentSearch q;
  q.filter = "name LIKE 'exp-%'";
  q.order_by = {"name ASC"};
  Page<Experiment> page;
  ASSERT_TRUE(store_->SearchExperiments(q, &page).ok());
  ASSERT_EQ(page.items.size(), 3u);
  EXPECT_EQ(page.items[0].name, "exp-a");
  EXPECT_EQ(page.items[1].name, "exp-b2");
  EXPECT_EQ(page.items[2].name, "exp-d");

  q = ExperimentSearch();
  q.filter = "tags.owner = 'ana'";
  ASSERT_TRUE(store_->SearchExperiments(q, &page).ok());
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].name, "exp-a");

  // Paging visits every experiment exactly once.
  std::set<std::string> seen;
  q = ExperimentSearch();
  q.max_results = 2;
  q.order_by = {"name"};
  int pages = 0;
  do {
    ASSERT_TRUE(store_->SearchExperiments(q, &page).ok());
    for (const auto& e : page.items) EXPECT_TRUE(seen.insert(e.name).second) << e.name;
    q.page_token = page.next_page_token;
    ++pages;
  } while (!q.page_token.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 5u);  // Default + 4
  EXPECT_EQ(pages, 3);

  // Deleting hides it from active searches; restoring brings it back.
  ASSERT_TRUE(store_->DeleteExperiment(id).ok());
  EXPECT_EQ(store_->DeleteExperiment(id).code(), StatusCode::kInvalidArgument);
  q = ExperimentSearch();
  q.filter = "name = 'exp-a'";
  ASSERT_TRUE(store_->SearchExperiments(q, &page).ok());
  EXPECT_TRUE(page.items.empty());
  q.view_type = ViewType::kDeletedOnly;
  ASSERT_TRUE(store_->SearchExperiments(q, &page).ok());
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].lifecycle_stage, "deleted");
  Status again = store_->CreateExperiment("exp-a", "", {}, &id);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(again.message(), HasSubstr("deleted"));
  ASSERT_TRUE(store_->RestoreExperiment(page.items[0].experiment_id).ok());
  ASSERT_TRUE(store_->GetExperimentByName("exp-a", &a).ok());
  EXPECT_EQ(a.lifecycle_stage, "active");
  EXPECT_EQ(store_->DeleteExperiment("0").code(), StatusCode::kInvalidArgument);

  q = ExperimentSearch();
  q.filter = "name LIKE";
  EXPECT_EQ(store_->SearchExperiments(q, &page).code(), StatusCode::kInvalidArgument);
  q.filter = "";
  q.page_token = "not-a-token";
  EXPECT_EQ(store_->SearchExperiments(q, &page).code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, RunsParamsMetricsTagsInputs) {
  std::string exp = NewExperiment("runs");
  tracking::Run run = NewRun(exp, "", {{"mlflow.runName", "from-tag"}, {"stage", "dev"}});
  const std::string& id = run.info.run_id;
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(run.info.run_name, "from-tag");
  EXPECT_EQ(run.info.status, RunStatus::kRunning);
  EXPECT_EQ(run.info.artifact_uri, "mlflow-artifacts:/" + exp + "/" + id + "/artifacts");
  EXPECT_FALSE(run.info.end_time.has_value());
  ASSERT_NE(run.FindTag("stage"), nullptr);

  // Params are immutable; logging the same value again is fine.
  ASSERT_TRUE(store_->LogParam(id, "model", "linear").ok());
  ASSERT_TRUE(store_->LogParam(id, "model", "linear").ok());
  Status changed = store_->LogParam(id, "model", "gbdt");
  EXPECT_EQ(changed.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(changed.message(), HasSubstr("Changing param values is not allowed"));
  EXPECT_THAT(changed.message(), HasSubstr("linear"));
  EXPECT_EQ(store_->LogBatch(id, {}, {{"a", "1"}, {"a", "2"}}, {}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->LogParam(id, "../escape", "x").code(), StatusCode::kInvalidArgument);

  // Metrics keep their full history; the latest is by step, then timestamp.
  ASSERT_TRUE(store_
                  ->LogBatch(id,
                             {{"loss", 0.9, 1000, 0},
                              {"loss", 0.5, 1001, 1},
                              {"loss", 0.7, 999, 2},
                              {"f1", std::numeric_limits<double>::quiet_NaN(), 1000, 0}},
                             {{"lr", "0.1"}}, {{"note", "hello"}})
                  .ok());
  ASSERT_TRUE(store_->LogMetric(id, {"loss", 0.7, 999, 2}).ok());  // duplicate: ignored
  tracking::Run got;
  ASSERT_TRUE(store_->GetRun(id, &got).ok());
  const Metric* loss = got.FindMetric("loss");
  ASSERT_NE(loss, nullptr);
  EXPECT_DOUBLE_EQ(loss->value, 0.7);
  EXPECT_EQ(loss->step, 2);
  ASSERT_NE(got.FindMetric("f1"), nullptr);
  EXPECT_TRUE(std::isnan(got.FindMetric("f1")->value));
  ASSERT_NE(got.FindParam("lr"), nullptr);
  EXPECT_EQ(*got.FindParam("model"), "linear");
  EXPECT_EQ(*got.FindTag("note"), "hello");

  Page<Metric> history;
  ASSERT_TRUE(store_->GetMetricHistory(id, "loss", 0, "", &history).ok());
  ASSERT_EQ(history.items.size(), 3u);
  EXPECT_EQ(history.items[0].timestamp, 999);  // ordered by timestamp
  EXPECT_TRUE(history.next_page_token.empty());
  ASSERT_TRUE(store_->GetMetricHistory(id, "loss", 2, "", &history).ok());
  ASSERT_EQ(history.items.size(), 2u);
  ASSERT_FALSE(history.next_page_token.empty());
  ASSERT_TRUE(store_->GetMetricHistory(id, "loss", 2, history.next_page_token, &history).ok());
  ASSERT_EQ(history.items.size(), 1u);
  EXPECT_DOUBLE_EQ(history.items[0].value, 0.5);
  EXPECT_EQ(
      store_->GetMetricHistory("0123456789abcdef0123456789abcdef", "loss", 0, "", &history).code(),
      StatusCode::kNotFound);

  // Tags, including mlflow.runName which renames the run.
  ASSERT_TRUE(store_->SetTag(id, "mlflow.runName", "renamed").ok());
  ASSERT_TRUE(store_->DeleteTag(id, "note").ok());
  EXPECT_EQ(store_->DeleteTag(id, "note").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->GetRun(id, &got).ok());
  EXPECT_EQ(got.info.run_name, "renamed");
  EXPECT_EQ(got.FindTag("note"), nullptr);

  // Inputs: MLflow's log-inputs shape, idempotent.
  DatasetInput input;
  input.dataset = {"train.csv", "abc123", "local", "/data/train.csv", "{\"cols\":3}", ""};
  input.tags = {{"mlflow.data.context", "training"}};
  ASSERT_TRUE(store_->LogInputs(id, {input}).ok());
  ASSERT_TRUE(store_->LogInputs(id, {input}).ok());
  ASSERT_TRUE(store_->GetRun(id, &got).ok());
  ASSERT_EQ(got.inputs.size(), 1u);
  EXPECT_EQ(got.inputs[0].dataset.digest, "abc123");
  EXPECT_EQ(got.inputs[0].dataset.schema, "{\"cols\":3}");
  ASSERT_EQ(got.inputs[0].tags.size(), 1u);
  EXPECT_EQ(got.inputs[0].tags[0].value, "training");

  ASSERT_TRUE(store_->LogModel(id, R"({"artifact_path": "model", "flavors": {}})").ok());
  ASSERT_TRUE(store_->LogModel(id, R"({"artifact_path": "model2"})").ok());
  EXPECT_EQ(store_->LogModel(id, "not json").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->GetRun(id, &got).ok());
  ASSERT_NE(got.FindTag(kTagLogModelHistory), nullptr);
  auto history_json = nlohmann::json::parse(*got.FindTag(kTagLogModelHistory));
  ASSERT_EQ(history_json.size(), 2u);
  EXPECT_EQ(history_json[1]["artifact_path"], "model2");

  // Ending the run; a deleted run refuses writes until restored.
  RunInfo info;
  ASSERT_TRUE(store_->UpdateRun(id, RunStatus::kFinished, 5000, std::nullopt, &info).ok());
  EXPECT_EQ(info.status, RunStatus::kFinished);
  ASSERT_TRUE(info.end_time.has_value());
  EXPECT_EQ(*info.end_time, 5000);
  ASSERT_TRUE(store_->DeleteRun(id).ok());
  Status refused = store_->LogMetric(id, {"loss", 0.1, 6000, 3});
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument) << refused.ToString();
  EXPECT_THAT(refused.message(), HasSubstr("must be in the 'active' state"));
  ASSERT_TRUE(store_->RestoreRun(id).ok());
  EXPECT_TRUE(store_->LogMetric(id, {"loss", 0.1, 6000, 3}).ok());
  EXPECT_EQ(store_->GetRun("ffffffffffffffffffffffffffffffff", &got).code(), StatusCode::kNotFound);

  // Batch limits.
  std::vector<Metric> too_many(1001, Metric{"m", 1.0, 1, 0});
  EXPECT_EQ(store_->LogBatch(id, too_many, {}, {}).code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, SearchRunsFilterGrammarOrderAndPaging) {
  std::string exp = NewExperiment("search");
  struct Spec {
    const char* name;
    const char* model;
    double f1;  // NaN: not logged
    const char* team;
    bool finish;
  };
  const double kMissing = std::numeric_limits<double>::quiet_NaN();
  std::vector<Spec> specs = {{"r1", "linear", 0.91, "a", true},
                             {"r2", "linear", 0.75, "b", true},
                             {"r3", "gbdt", 0.85, "a", false},
                             {"r4", "fasttext", 0.60, "", true},
                             {"r5", "Linear-SVM", kMissing, "b", false}};
  std::map<std::string, std::string> ids;
  for (const Spec& s : specs) {
    std::vector<KeyValue> tags;
    if (*s.team) tags.push_back({"team name", s.team});
    tracking::Run run = NewRun(exp, s.name, tags);
    ids[s.name] = run.info.run_id;
    std::vector<Metric> metrics;
    if (!std::isnan(s.f1)) metrics.push_back({"f1", s.f1, 1, 0});
    ASSERT_TRUE(store_->LogBatch(run.info.run_id, metrics, {{"model", s.model}}, {}).ok());
    if (s.finish) {
      RunInfo info;
      ASSERT_TRUE(
          store_->UpdateRun(run.info.run_id, RunStatus::kFinished, 10, std::nullopt, &info).ok());
    }
  }
  DatasetInput input;
  input.dataset = {"eval.csv", "d1g35t", "local", "/x", "", ""};
  input.tags = {{"mlflow.data.context", "evaluation"}};
  ASSERT_TRUE(store_->LogInputs(ids["r2"], {input}).ok());

  using Names = std::set<std::string>;
  EXPECT_EQ(RunNames(exp, ""), (Names{"r1", "r2", "r3", "r4", "r5"}));
  EXPECT_EQ(RunNames(exp, "metrics.f1 > 0.8"), (Names{"r1", "r3"}));
  EXPECT_EQ(RunNames(exp, "metrics.f1 <= 0.75"), (Names{"r2", "r4"}));
  EXPECT_EQ(RunNames(exp, "metrics.f1 != 0.75"), (Names{"r1", "r3", "r4"}));
  EXPECT_EQ(RunNames(exp, "params.model = 'linear'"), (Names{"r1", "r2"}));
  EXPECT_EQ(RunNames(exp, "params.model != 'linear'"), (Names{"r3", "r4", "r5"}));
  EXPECT_EQ(RunNames(exp, "params.model LIKE 'lin%'"), (Names{"r1", "r2"}));
  EXPECT_EQ(RunNames(exp, "params.model ILIKE 'lin%'"), (Names{"r1", "r2", "r5"}));
  EXPECT_EQ(RunNames(exp, "tags.`team name` = 'a'"), (Names{"r1", "r3"}));
  EXPECT_EQ(RunNames(exp, "tags.\"team name\" IS NULL"), (Names{"r4"}));
  EXPECT_EQ(RunNames(exp, "attributes.status = 'FINISHED'"), (Names{"r1", "r2", "r4"}));
  EXPECT_EQ(RunNames(exp,
                     "metrics.f1 > 0.7 and params.model = 'linear' and "
                     "tags.`team name` = 'a' and attributes.status = 'FINISHED'"),
            (Names{"r1"}));
  EXPECT_EQ(RunNames(exp, "run_name IN ('r2', 'r4', 'zz')"), (Names{"r2", "r4"}));
  EXPECT_EQ(RunNames(exp, "attributes.run_name NOT IN ('r2', 'r4')"), (Names{"r1", "r3", "r5"}));
  EXPECT_EQ(RunNames(exp, "attributes.run_id = '" + ids["r3"] + "'"), (Names{"r3"}));
  EXPECT_EQ(RunNames(exp, "datasets.digest = 'd1g35t'"), (Names{"r2"}));
  EXPECT_EQ(RunNames(exp, "datasets.context = 'evaluation'"), (Names{"r2"}));
  EXPECT_EQ(RunNames(exp, "attributes.start_time > 0 AND metrics.f1 < 0.7"), (Names{"r4"}));

  for (const char* bad :
       {"metrics.f1 > 'high'", "params.model > 'a'", "metrics.f1 LIKE '1%'", "tags.x = 3",
        "foo.bar = 'x'", "attributes.nope = 'x'", "metrics.f1 > 0.1 or metrics.f1 < 0.2",
        "params.model = ", "metrics.f1 0.3", "params.model = 'unterminated"}) {
    Status s;
    RunNames(exp, bad, &s);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }

  // order_by: missing metric values sort last in either direction.
  RunSearch q;
  q.experiment_ids = {exp};
  q.order_by = {"metrics.f1 DESC"};
  Page<tracking::Run> page;
  ASSERT_TRUE(store_->SearchRuns(q, &page).ok());
  std::vector<std::string> order;
  for (const tracking::Run& r : page.items) order.push_back(r.info.run_name);
  EXPECT_EQ(order, (std::vector<std::string>{"r1", "r3", "r2", "r4", "r5"}));
  q.order_by = {"metrics.f1 ASC"};
  ASSERT_TRUE(store_->SearchRuns(q, &page).ok());
  order.clear();
  for (const tracking::Run& r : page.items) order.push_back(r.info.run_name);
  EXPECT_EQ(order, (std::vector<std::string>{"r4", "r2", "r3", "r1", "r5"}));
  q.order_by = {"params.model ASC", "attributes.run_name DESC"};
  ASSERT_TRUE(store_->SearchRuns(q, &page).ok());
  order.clear();
  for (const tracking::Run& r : page.items) order.push_back(r.info.run_name);
  EXPECT_EQ(order, (std::vector<std::string>{"r5", "r4", "r3", "r2", "r1"}));
  q.order_by = {"metrics.f1 SIDEWAYS"};
  EXPECT_EQ(store_->SearchRuns(q, &page).code(), StatusCode::kInvalidArgument);

  // Paging returns every run once, in order.
  q = RunSearch();
  q.experiment_ids = {exp};
  q.max_results = 2;
  q.order_by = {"attributes.run_name ASC"};
  std::vector<std::string> all;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store_->SearchRuns(q, &page).ok());
    for (const tracking::Run& r : page.items) all.push_back(r.info.run_name);
    if (page.next_page_token.empty()) break;
    q.page_token = page.next_page_token;
  }
  EXPECT_EQ(all, (std::vector<std::string>{"r1", "r2", "r3", "r4", "r5"}));
  q = RunSearch();
  q.experiment_ids = {exp};
  q.max_results = 50001;
  EXPECT_EQ(store_->SearchRuns(q, &page).code(), StatusCode::kInvalidArgument);

  // Deleted runs show up only when asked for.
  ASSERT_TRUE(store_->DeleteRun(ids["r1"]).ok());
  EXPECT_EQ(RunNames(exp, "params.model = 'linear'"), (Names{"r2"}));
  q = RunSearch();
  q.experiment_ids = {exp};
  q.view_type = ViewType::kDeletedOnly;
  ASSERT_TRUE(store_->SearchRuns(q, &page).ok());
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].info.run_name, "r1");
  EXPECT_EQ(page.items[0].info.lifecycle_stage, "deleted");
}

TEST_P(StoreTest, RegistryModelsVersionsStagesAliasesAudit) {
  std::string exp = NewExperiment("reg");
  tracking::Run run = NewRun(exp, "trainer");
  RegisteredModel model;
  ASSERT_TRUE(store_->CreateRegisteredModel("catalog", {{"owner", "ml"}}, "first", &model).ok());
  EXPECT_EQ(model.name, "catalog");
  EXPECT_EQ(model.description, "first");
  EXPECT_EQ(store_->CreateRegisteredModel("catalog", {}, "", &model).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->CreateRegisteredModel("", {}, "", &model).code(), StatusCode::kInvalidArgument);

  CreateModelVersionRequest req;
  req.name = "catalog";
  req.source = "mlflow-artifacts:/" + exp + "/" + run.info.run_id + "/artifacts/model";
  req.run_id = run.info.run_id;
  req.tags = {{"family", "linear"}};
  ModelVersion v;
  for (int64_t expected = 1; expected <= 3; ++expected) {
    ASSERT_TRUE(store_->CreateModelVersion(req, &v).ok());
    EXPECT_EQ(v.version, expected);
    EXPECT_EQ(v.current_stage, "None");
    EXPECT_EQ(v.status, "READY");
  }
  EXPECT_EQ(v.run_id, run.info.run_id);
  ASSERT_EQ(v.tags.size(), 1u);
  req.name = "missing";
  EXPECT_EQ(store_->CreateModelVersion(req, &v).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetModelVersion("catalog", 9, &v).code(), StatusCode::kNotFound);

  // Stages: the second Production promotion archives the first.
  TransitionRequest t{"catalog", 1, "production", false, "alice", "first release"};
  ASSERT_TRUE(store_->TransitionModelVersionStage(t, &v).ok());
  EXPECT_EQ(v.current_stage, "Production");
  t = {"catalog", 2, "Staging", false, "bob", ""};
  ASSERT_TRUE(store_->TransitionModelVersionStage(t, &v).ok());
  t = {"catalog", 2, "Production", true, "carol", "better"};
  ASSERT_TRUE(store_->TransitionModelVersionStage(t, &v).ok());
  ASSERT_TRUE(store_->GetModelVersion("catalog", 1, &v).ok());
  EXPECT_EQ(v.current_stage, "Archived");
  t = {"catalog", 3, "Archived", true, "carol", ""};
  EXPECT_EQ(store_->TransitionModelVersionStage(t, &v).code(), StatusCode::kInvalidArgument);
  t = {"catalog", 3, "Shipping", false, "carol", ""};
  EXPECT_EQ(store_->TransitionModelVersionStage(t, &v).code(), StatusCode::kInvalidArgument);

  std::vector<ModelVersion> latest;
  ASSERT_TRUE(store_->GetLatestVersions("catalog", {"Production"}, &latest).ok());
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].version, 2);
  ASSERT_TRUE(store_->GetLatestVersions("catalog", {}, &latest).ok());
  std::map<std::string, int64_t> by_stage;
  for (const auto& x : latest) by_stage[x.current_stage] = x.version;
  EXPECT_EQ(by_stage,
            (std::map<std::string, int64_t>{{"Archived", 1}, {"None", 3}, {"Production", 2}}));

  std::vector<StageTransition> audit;
  ASSERT_TRUE(store_->ListStageTransitions("catalog", 0, &audit).ok());
  ASSERT_EQ(audit.size(), 4u);
  EXPECT_EQ(audit[0].user, "alice");
  EXPECT_EQ(audit[0].from_stage, "None");
  EXPECT_EQ(audit[0].to_stage, "Production");
  EXPECT_EQ(audit[0].comment, "first release");
  EXPECT_GT(audit[0].timestamp, 0);
  bool archived_logged = false;
  for (const auto& a : audit) {
    if (a.version == 1 && a.to_stage == "Archived") archived_logged = a.user == "carol";
  }
  EXPECT_TRUE(archived_logged);

  // Aliases.
  ASSERT_TRUE(store_->SetRegisteredModelAlias("catalog", "champion", 2).ok());
  ASSERT_TRUE(store_->SetRegisteredModelAlias("catalog", "challenger", 3).ok());
  EXPECT_EQ(store_->SetRegisteredModelAlias("catalog", "ghost", 42).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->SetRegisteredModelAlias("catalog", "latest", 1).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->GetModelVersionByAlias("catalog", "champion", &v).ok());
  EXPECT_EQ(v.version, 2);
  EXPECT_EQ(v.aliases, std::vector<std::string>{"champion"});
  ASSERT_TRUE(store_->SetRegisteredModelAlias("catalog", "champion", 3).ok());  // moves
  ASSERT_TRUE(store_->GetModelVersionByAlias("catalog", "champion", &v).ok());
  EXPECT_EQ(v.version, 3);
  ASSERT_TRUE(store_->DeleteRegisteredModelAlias("catalog", "challenger").ok());
  EXPECT_EQ(store_->GetModelVersionByAlias("catalog", "challenger", &v).code(),
            StatusCode::kNotFound);

  // Tags and descriptions.
  ASSERT_TRUE(store_->SetRegisteredModelTag("catalog", "domain", "retail").ok());
  ASSERT_TRUE(store_->DeleteRegisteredModelTag("catalog", "owner").ok());
  ASSERT_TRUE(store_->SetModelVersionTag("catalog", 2, "validated", "yes").ok());
  ASSERT_TRUE(store_->DeleteModelVersionTag("catalog", 2, "family").ok());
  ASSERT_TRUE(store_->UpdateModelVersion("catalog", 2, "the good one", &v).ok());
  EXPECT_EQ(v.description, "the good one");
  ASSERT_EQ(v.tags.size(), 1u);
  EXPECT_EQ(v.tags[0].key, "validated");
  ASSERT_TRUE(store_->UpdateRegisteredModel("catalog", "updated", &model).ok());
  EXPECT_EQ(model.description, "updated");
  ASSERT_EQ(model.tags.size(), 1u);
  EXPECT_EQ(model.tags[0].key, "domain");
  ASSERT_EQ(model.aliases.size(), 1u);
  EXPECT_EQ(model.aliases[0].alias, "champion");
  std::string uri;
  ASSERT_TRUE(store_->GetModelVersionDownloadUri("catalog", 2, &uri).ok());
  EXPECT_EQ(uri, req.source);

  // Searches.
  ASSERT_TRUE(store_->CreateRegisteredModel("other", {}, "", &model).ok());
  SearchQuery q;
  q.filter = "name LIKE 'cat%'";
  Page<RegisteredModel> models;
  ASSERT_TRUE(store_->SearchRegisteredModels(q, &models).ok());
  ASSERT_EQ(models.items.size(), 1u);
  EXPECT_EQ(models.items[0].name, "catalog");
  q.filter = "tags.domain = 'retail'";
  ASSERT_TRUE(store_->SearchRegisteredModels(q, &models).ok());
  ASSERT_EQ(models.items.size(), 1u);
  q = SearchQuery();
  q.max_results = 1;
  ASSERT_TRUE(store_->SearchRegisteredModels(q, &models).ok());
  ASSERT_EQ(models.items.size(), 1u);
  EXPECT_EQ(models.items[0].name, "catalog");
  ASSERT_FALSE(models.next_page_token.empty());
  q.page_token = models.next_page_token;
  ASSERT_TRUE(store_->SearchRegisteredModels(q, &models).ok());
  ASSERT_EQ(models.items.size(), 1u);
  EXPECT_EQ(models.items[0].name, "other");
  EXPECT_TRUE(models.next_page_token.empty());

  q = SearchQuery();
  q.filter = "name = 'catalog' and run_id = '" + run.info.run_id + "'";
  q.order_by = {"version_number ASC"};
  Page<ModelVersion> versions;
  ASSERT_TRUE(store_->SearchModelVersions(q, &versions).ok());
  ASSERT_EQ(versions.items.size(), 3u);
  EXPECT_EQ(versions.items[0].version, 1);
  q.filter = "tags.validated = 'yes'";
  q.order_by.clear();
  ASSERT_TRUE(store_->SearchModelVersions(q, &versions).ok());
  ASSERT_EQ(versions.items.size(), 1u);
  EXPECT_EQ(versions.items[0].version, 2);

  // Deleted versions keep their number; rename carries versions and history along.
  ASSERT_TRUE(store_->DeleteModelVersion("catalog", 3).ok());
  EXPECT_EQ(store_->GetModelVersion("catalog", 3, &v).code(), StatusCode::kNotFound);
  req.name = "catalog";
  ASSERT_TRUE(store_->CreateModelVersion(req, &v).ok());
  EXPECT_EQ(v.version, 4);
  EXPECT_EQ(store_->RenameRegisteredModel("catalog", "other", &model).code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(store_->RenameRegisteredModel("catalog", "catalog-v2", &model).ok());
  EXPECT_EQ(model.name, "catalog-v2");
  ASSERT_TRUE(store_->GetModelVersion("catalog-v2", 2, &v).ok());
  EXPECT_EQ(v.description, "the good one");
  ASSERT_TRUE(store_->ListStageTransitions("catalog-v2", 2, &audit).ok());
  EXPECT_EQ(audit.size(), 2u);
  EXPECT_EQ(store_->GetRegisteredModel("catalog", &model).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteRegisteredModel("catalog-v2").ok());
  EXPECT_EQ(store_->GetModelVersion("catalog-v2", 2, &v).code(), StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres", "rest"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace prodcat::tracking
