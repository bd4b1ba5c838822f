#include "prodcat/experiments/experiment_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include "experiments_test_util.h"

namespace prodcat::experiments {
namespace {

using ::testing::HasSubstr;
using testing::Numbered;
using testing::ScratchDir;
using testing::TwoArmSpec;

class ExperimentManagerTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(ManagerOptions options = {}) {
    manager_.reset();
    Status s = ExperimentManager::Open(path_, options, &manager_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Serves request `id` for `key` through the running experiment; returns the arm.
  std::string Serve(const std::string& id, const std::string& key, const std::string& product,
                    const std::string& predicted, double confidence = 0.9, double latency_ms = 3) {
    std::optional<Assignment> a = manager_->Assign(key);
    EXPECT_TRUE(a.has_value());
    if (!a) return "";
    manager_->RecordServed(a->experiment_id, a->arm, id, key, product, predicted, confidence,
                           latency_ms);
    return a->arm;
  }

  Status Feedback(const std::string& request_id, const std::string& product_id,
                  const std::string& label, FeedbackResult* result = nullptr) {
    FeedbackResult ignored;
    return manager_->RecordFeedback({request_id, product_id, label}, result ? result : &ignored);
  }

  nlohmann::json Summary(const std::string& id) {
    StatusOr<nlohmann::json> s = manager_->Summary(id);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : nlohmann::json();
  }

  ScratchDir dir_;
  std::string path_ = dir_.File("experiments.db");
  std::unique_ptr<ExperimentManager> manager_;
};

TEST_F(ExperimentManagerTest, CreateListGetStop) {
  EXPECT_FALSE(manager_->Assign("u1").has_value());  // nothing running yet
  ASSERT_TRUE(manager_->Create(TwoArmSpec("first")).ok());
  StatusOr<ExperimentSpec> got = manager_->Get("first");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->created_at.size(), 20u);  // 2026-01-02T03:04:05Z, filled in
  EXPECT_EQ(manager_->Active(), "first");
  EXPECT_EQ(manager_->Create(TwoArmSpec("first")).code(), StatusCode::kAlreadyExists);
  Status second = manager_->Create(TwoArmSpec("second"));
  EXPECT_EQ(second.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.message(), HasSubstr("experiment 'first' is running; stop it"));
  ExperimentSpec stopped = TwoArmSpec("draft");
  stopped.status = ExperimentStatus::kStopped;
  EXPECT_TRUE(manager_->Create(stopped).ok());  // a stopped one does not compete for traffic

  ASSERT_TRUE(manager_->Stop("first").ok());
  EXPECT_TRUE(manager_->Stop("first").ok());  // idempotent
  EXPECT_EQ(manager_->Stop("nope").code(), StatusCode::kNotFound);
  EXPECT_FALSE(manager_->Assign("u1").has_value());
  EXPECT_TRUE(manager_->Create(TwoArmSpec("second")).ok());
  std::vector<ExperimentSpec> all = manager_->List();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "first");
  EXPECT_EQ(all[0].status, ExperimentStatus::kStopped);
  EXPECT_EQ(all[2].id, "second");
  EXPECT_EQ(manager_->Get("nope").status().code(), StatusCode::kNotFound);
  EXPECT_THAT(manager_->Create(TwoArmSpec("bad id")).message(), HasSubstr("id: expected"));
}

TEST_F(ExperimentManagerTest, DeclareIsIdempotentButRefusesAChangedDefinition) {
  ASSERT_TRUE(manager_->Declare(TwoArmSpec("cfg")).ok());
  ASSERT_TRUE(manager_->Declare(TwoArmSpec("cfg")).ok());
  ASSERT_TRUE(manager_->Stop("cfg").ok());
  Reopen();
  ASSERT_TRUE(manager_->Declare(TwoArmSpec("cfg")).ok());  // restart: stays stopped
  EXPECT_EQ(manager_->Get("cfg")->status, ExperimentStatus::kStopped);
  Status changed = manager_->Declare(TwoArmSpec("cfg", 9, 1));
  EXPECT_EQ(changed.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(changed.message(), HasSubstr("already exists with a different arms"));
}

TEST_F(ExperimentManagerTest, AssignmentIsStickyAcrossCallsAndRestarts) {
  ASSERT_TRUE(manager_->Create(TwoArmSpec("sticky")).ok());
  std::map<std::string, std::string> first;
  for (int i = 0; i < 2000; ++i) {
    std::string key = Numbered("user-", i);
    std::optional<Assignment> a = manager_->Assign(key);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->bucket, Bucket("sticky", key));
    EXPECT_EQ(a->arm_index, a->bucket < 5000 ? 0u : 1u);
    EXPECT_EQ(a->model, a->arm == "A" ? "models:/cat@champion" : "models:/cat/7");
    first[key] = a->arm;
    EXPECT_EQ(manager_->Assign(key)->arm, a->arm);
  }
  Reopen();
  for (const auto& [key, arm] : first) EXPECT_EQ(manager_->Assign(key)->arm, arm) << key;
}

TEST_F(ExperimentManagerTest, AssignRequestUsesTheKeyFieldsInOrder) {
  ExperimentSpec spec = TwoArmSpec("keys");
  spec.key_fields = {"user_id", "product_id"};
  ASSERT_TRUE(manager_->Create(spec).ok());
  std::map<std::string, std::string, std::less<>> fields = {{"product_id", "p-1"}};
  FieldLookup lookup = [&](std::string_view f) -> std::string_view {
    auto it = fields.find(f);
    return it == fields.end() ? std::string_view() : std::string_view(it->second);
  };
  EXPECT_EQ(manager_->AssignRequest(lookup)->bucket, Bucket("keys", "p-1"));
  EXPECT_EQ(manager_->AssignRequest(lookup)->key, "p-1");
  fields["user_id"] = "u-7";
  EXPECT_EQ(manager_->AssignRequest(lookup)->bucket, Bucket("keys", "u-7"));
  EXPECT_EQ(manager_->AssignRequest(lookup)->key, "u-7");
  EXPECT_EQ(manager_->Assign("u-7")->key, "u-7");
  fields.clear();
  fields["session_id"] = "s";  // not one of this experiment's key fields
  EXPECT_FALSE(manager_->AssignRequest(lookup).has_value());
}

TEST_F(ExperimentManagerTest, RecordsPerArmFiguresAndFeedback) {
  ASSERT_TRUE(manager_->Create(TwoArmSpec("figures")).ok());
  std::map<std::string, std::string> arm_of;
  for (int i = 0; i < 400; ++i) {
    std::string id = Numbered("req-", i);
    arm_of[id] = Serve(id, Numbered("u", i), Numbered("p", i), "Books",
                       /*confidence=*/0.5, /*latency_ms=*/i % 2 ? 4 : 2);
  }
  // Label every request; arm A's answer is right for even requests only, B's 9 times in 10.
  int64_t a_feedback = 0, a_correct = 0, b_feedback = 0, b_correct = 0;
  for (int i = 0; i < 400; ++i) {
    std::string id = Numbered("req-", i);
    bool a = arm_of[id] == "A";
    std::string label = (a ? i % 2 == 0 : i % 10 != 0) ? "Books" : "Toys";
    FeedbackResult result;
    ASSERT_TRUE(Feedback(id, "", label, &result).ok());
    EXPECT_EQ(result.arm, arm_of[id]);
    EXPECT_EQ(result.product_id, Numbered("p", i));
    EXPECT_EQ(result.correct, label == "Books");
    (a ? a_feedback : b_feedback)++;
    if (label == "Books") ++(a ? a_correct : b_correct);
  }
  nlohmann::json s = Summary("figures");
  EXPECT_EQ(s["total_requests"], 400);
  const nlohmann::json& arm_a = s["arms"][0];
  EXPECT_EQ(arm_a["name"], "A");
  EXPECT_EQ(arm_a["requests"], a_feedback);
  EXPECT_DOUBLE_EQ(arm_a["mean_confidence"].get<double>(), 0.5);
  EXPECT_NEAR(arm_a["mean_latency_ms"].get<double>(), 3, 0.2);
  EXPECT_EQ(arm_a["expected_share"], 0.5);
  EXPECT_EQ(arm_a["feedback"], a_feedback);
  EXPECT_EQ(arm_a["correct"], a_correct);
  EXPECT_DOUBLE_EQ(arm_a["accuracy"].get<double>(), static_cast<double>(a_correct) / a_feedback);
  EXPECT_DOUBLE_EQ(s["arms"][1]["accuracy"].get<double>(),
                   static_cast<double>(b_correct) / b_feedback);
  EXPECT_EQ(s["arms"][1]["feedback"], b_feedback);
  // ~50% vs ~90% with ~200 feedbacks per arm is decisive.
  EXPECT_EQ(s["verdict"], "b_better");
  EXPECT_EQ(s["winner"], "B");
  EXPECT_EQ(s["comparison"]["method"], "msprt_normal_mixture");
  EXPECT_GT(s["comparison"]["confidence_sequence"][0].get<double>(), 0);
  EXPECT_LT(s["comparison"]["always_valid_p_value"].get<double>(), 0.05);
  EXPECT_FALSE(s["srm"]["alert"].get<bool>());
}

TEST_F(ExperimentManagerTest, SummaryBeforeAnyDataIsWellFormed) {
  ASSERT_TRUE(manager_->Create(TwoArmSpec("empty")).ok());
  nlohmann::json s = Summary("empty");
  EXPECT_EQ(s["total_requests"], 0);
  EXPECT_TRUE(s["arms"][0]["accuracy"].is_null());
  EXPECT_TRUE(s["arms"][0]["share"].is_null());
  EXPECT_EQ(s["srm"]["p_value"], 1.0);
  EXPECT_FALSE(s["srm"]["alert"].get<bool>());
  EXPECT_EQ(s["comparison"]["confidence_sequence"], nlohmann::json::array({-1.0, 1.0}));
  EXPECT_TRUE(s["comparison"]["difference"].is_null());
  EXPECT_EQ(s["verdict"], "keep_running");
  EXPECT_TRUE(s["winner"].is_null());
  EXPECT_EQ(manager_->Summary("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(ExperimentManagerTest, FeedbackErrorsAndDuplicates) {
  ASSERT_TRUE(manager_->Create(TwoArmSpec("fb")).ok());
  Serve("r1", "u1", "p1", "Books");
  Status s = Feedback("", "", "Books");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("expected request_id or product_id"));
  EXPECT_THAT(Feedback("r1", "", "").message(), HasSubstr("true_category"));
  s = Feedback("unknown", "", "Books");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("no experiment assignment for request_id 'unknown'"));
  EXPECT_EQ(Feedback("", "nope", "Books").code(), StatusCode::kNotFound);
  ASSERT_TRUE(Feedback("r1", "", "Books").ok());
  s = Feedback("r1", "", "Toys");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(s.message(), HasSubstr("request 'r1' was already recorded"));
  EXPECT_EQ(Feedback("", "p1", "Toys").code(), StatusCode::kAlreadyExists);  // same request
  nlohmann::json summary = Summary("fb");
  int64_t feedback =
      summary["arms"][0]["feedback"].get<int64_t>() + summary["arms"][1]["feedback"].get<int64_t>();
  EXPECT_EQ(feedback, 1);  // the rejected duplicates did not count
}

TEST_F(ExperimentManagerTest, ProductFeedbackUsesTheMostRecentAssignment) {
  ASSERT_TRUE(manager_->Create(TwoArmSpec("prod")).ok());
  Serve("old", "u1", "shoe", "Clothing");
  Serve("new", "u2", "shoe", "Sports");
  FeedbackResult result;
  ASSERT_TRUE(Feedback("", "shoe", "Sports", &result).ok());
  EXPECT_EQ(result.request_id, "new");
  EXPECT_TRUE(result.correct);
  ASSERT_TRUE(Feedback("old", "", "Sports", &result).ok());  // by request id still reachable
  EXPECT_FALSE(result.correct);
}

TEST_F(ExperimentManagerTest, FeedbackForEvictedAndRestartedRequestsComesFromTheStore) {
  ManagerOptions options;
  options.recent_capacity = 10;
  Reopen(options);
  ASSERT_TRUE(manager_->Create(TwoArmSpec("evict")).ok());
  for (int i = 0; i < 50; ++i) {
    Serve(Numbered("r", i), Numbered("u", i), Numbered("p", i % 5), "Books");
  }
  FeedbackResult result;
  ASSERT_TRUE(Feedback("r0", "", "Books", &result).ok());  // evicted from memory long ago
  EXPECT_TRUE(result.correct);
  EXPECT_EQ(result.product_id, "p0");
  EXPECT_EQ(Feedback("r0", "", "Books").code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(Feedback("", "p1", "Toys", &result).ok());
  EXPECT_EQ(result.request_id, "r46");  // the latest of p1 (r1, r6, ..., r46)
  Reopen(options);
  // After a restart nothing is in memory: the store answers, duplicates are still refused.
  EXPECT_EQ(Feedback("r0", "", "Books").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Feedback("", "p1", "Books").code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(Feedback("r2", "", "Toys", &result).ok());
  EXPECT_FALSE(result.correct);
  EXPECT_EQ(Summary("evict")["arms"][0]["feedback"].get<int64_t>() +
                Summary("evict")["arms"][1]["feedback"].get<int64_t>(),
            3);
}

TEST_F(ExperimentManagerTest, FeedbackAfterStopStillCounts) {
  ASSERT_TRUE(manager_->Create(TwoArmSpec("late")).ok());
  std::string arm = Serve("r1", "u1", "p1", "Books");
  ASSERT_TRUE(manager_->Stop("late").ok());
  FeedbackResult result;
  ASSERT_TRUE(Feedback("r1", "", "Books", &result).ok());
  EXPECT_EQ(result.arm, arm);
}

TEST_F(ExperimentManagerTest, UnknownExperimentOrArmIsIgnoredAndCounted) {
  ASSERT_TRUE(manager_->Create(TwoArmSpec("known")).ok());
  manager_->RecordServed("unknown", "A", "r1", "k", "p", "c", 1, 1);
  manager_->RecordServed("known", "Z", "r2", "k", "p", "c", 1, 1);
  EXPECT_EQ(manager_->ignored_served(), 2u);
  EXPECT_EQ(Summary("known")["total_requests"], 0);
}

TEST_F(ExperimentManagerTest, SummarySurvivesARestartExactly) {
  ASSERT_TRUE(manager_->Create(TwoArmSpec("persist", 3, 1)).ok());
  for (int i = 0; i < 600; ++i) {
    std::string id = Numbered("r", i);
    Serve(id, Numbered("user", i), Numbered("p", i), i % 3 ? "Books" : "Toys",
          0.6 + 0.001 * (i % 7), 1 + i % 5);
    if (i % 2 == 0) {
      ASSERT_TRUE(Feedback(id, "", "Books").ok());
    }
  }
  nlohmann::json before = Summary("persist");
  ASSERT_GT(before["arms"][1]["feedback"].get<int>(), 0);
  Reopen();  // graceful: the destructor commits the buffer
  nlohmann::json after = Summary("persist");
  EXPECT_EQ(after.dump(), before.dump());
  EXPECT_EQ(manager_->Active(), "persist");
}

TEST_F(ExperimentManagerTest, SampleRatioMismatchFiresOnBiasedTrafficOnly) {
  ASSERT_TRUE(manager_->Create(TwoArmSpec("srm")).ok());
  // 100k fair assignments: no alert.
  for (int i = 0; i < 100000; ++i) {
    std::string key = Numbered("user-", i);
    std::optional<Assignment> a = manager_->Assign(key);
    manager_->RecordServed("srm", a->arm, Numbered("r", i), key, "", "c", 0.5, 1);
  }
  nlohmann::json fair = Summary("srm");
  EXPECT_GT(fair["srm"]["p_value"].get<double>(), 0.001);
  EXPECT_FALSE(fair["srm"]["alert"].get<bool>());
  ASSERT_TRUE(manager_->Stop("srm").ok());

  // A broken pipeline loses 8% of arm B's records: 50,000 vs ~46,000 against 50/50.
  ASSERT_TRUE(manager_->Create(TwoArmSpec("srm-biased")).ok());
  for (int i = 0; i < 100000; ++i) {
    std::string key = Numbered("user-", i);
    std::optional<Assignment> a = manager_->Assign(key);
    if (a->arm == "B" && i % 25 < 2) continue;
    manager_->RecordServed("srm-biased", a->arm, Numbered("b", i), key, "", "c", 0.5, 1);
  }
  nlohmann::json biased = Summary("srm-biased");
  EXPECT_LT(biased["srm"]["p_value"].get<double>(), 0.001);
  EXPECT_TRUE(biased["srm"]["alert"].get<bool>());
}

TEST_F(ExperimentManagerTest, ThreeArmsAreEachComparedWithTheControlWithBonferroni) {
  ExperimentSpec spec = TwoArmSpec("three");
  spec.arms.push_back({"C", "/bundles/c", 1});
  ASSERT_TRUE(manager_->Create(spec).ok());
  nlohmann::json s = Summary("three");
  ASSERT_EQ(s["comparisons"].size(), 2u);
  EXPECT_EQ(s["comparisons"][1]["treatment"], "C");
  EXPECT_EQ(s["comparisons"][1]["control"], "A");
  EXPECT_DOUBLE_EQ(s["comparisons"][0]["alpha_per_comparison"].get<double>(), 0.025);
  EXPECT_NEAR(s["arms"][2]["expected_share"].get<double>(), 1.0 / 3, 1e-4);
}

TEST_F(ExperimentManagerTest, NoDifferenceOnceTheSequenceIsNarrow) {
  ExperimentSpec spec = TwoArmSpec("same");
  spec.min_detectable_effect = 0.05;
  ASSERT_TRUE(manager_->Create(spec).ok());
  // Both arms right on 4 of every 5 requests, 12,000 labelled requests.
  for (int i = 0; i < 12000; ++i) {
    std::string id = Numbered("r", i);
    Serve(id, Numbered("user", i), "", "Books");
  }
  std::map<std::string, int> seen;
  for (int i = 0; i < 12000; ++i) {
    std::string id = Numbered("r", i);
    std::string arm = manager_->Assign(Numbered("user", i))->arm;
    ASSERT_TRUE(Feedback(id, "", seen[arm]++ % 5 == 4 ? "Toys" : "Books").ok());
  }
  nlohmann::json s = Summary("same");
  EXPECT_EQ(s["verdict"], "no_difference") << s["comparison"].dump();
  EXPECT_GE(s["comparison"]["confidence_sequence"][0].get<double>(), -0.05);
  EXPECT_LE(s["comparison"]["confidence_sequence"][1].get<double>(), 0.05);
}

TEST_F(ExperimentManagerTest, ConcurrentServingKeepsExactCounts) {
  ASSERT_TRUE(manager_->Create(TwoArmSpec("threads")).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 5000; ++i) {
        std::string key = Numbered("t", t) + Numbered("-", i);
        std::optional<Assignment> a = manager_->Assign(key);
        manager_->RecordServed(a->experiment_id, a->arm, key, key, "", "c", 0.5, 1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(Summary("threads")["total_requests"], 20000);
  Reopen();
  EXPECT_EQ(Summary("threads")["total_requests"], 20000);
}

// Runs `child` in a forked process, which signals readiness by writing one byte to the pipe;
// the parent then kills it with SIGKILL (no destructors, no flush) and reaps it.
void RunAndKill(const std::function<void(int ready_fd)>& child) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    child(fds[1]);
    _exit(3);  // the child is expected to be killed before reaching this
  }
  close(fds[1]);
  char byte = 0;
  ASSERT_EQ(read(fds[0], &byte, 1), 1) << "the child failed before signalling";
  close(fds[0]);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

TEST_F(ExperimentManagerTest, KillLosesOnlyRowsBufferedSinceTheLastFlush) {
  ASSERT_TRUE(manager_->Create(TwoArmSpec("kill")).ok());
  manager_.reset();
  RunAndKill([this](int ready_fd) {
    ManagerOptions options;
    options.store.flush_interval = std::chrono::hours(1);  // no background flush in this run
    std::unique_ptr<ExperimentManager> m;
    if (!ExperimentManager::Open(path_, options, &m).ok()) _exit(1);
    for (int i = 0; i < 1000; ++i) {
      std::string key = Numbered("u", i);
      m->RecordServed("kill", m->Assign(key)->arm, Numbered("r", i), key, "", "c", 1, 1);
    }
    if (!m->Flush().ok()) _exit(2);      // a flush interval elapses
    for (int i = 1000; i < 1500; ++i) {  // buffered, never committed
      std::string key = Numbered("u", i);
      m->RecordServed("kill", m->Assign(key)->arm, Numbered("r", i), key, "", "c", 1, 1);
    }
    (void)!write(ready_fd, "x", 1);
    pause();
  });
  Reopen();
  EXPECT_EQ(Summary("kill")["total_requests"], 1000);
  EXPECT_EQ(manager_->Active(), "kill");
}

TEST_F(ExperimentManagerTest, KillAfterAFlushIntervalLosesNothing) {
  ASSERT_TRUE(manager_->Create(TwoArmSpec("kill2")).ok());
  manager_.reset();
  RunAndKill([this](int ready_fd) {
    ManagerOptions options;
    options.store.flush_interval = std::chrono::milliseconds(20);
    std::unique_ptr<ExperimentManager> m;
    if (!ExperimentManager::Open(path_, options, &m).ok()) _exit(1);
    for (int i = 0; i < 1000; ++i) {
      std::string key = Numbered("u", i);
      m->RecordServed("kill2", m->Assign(key)->arm, Numbered("r", i), key, "", "c", 1, 1);
      if (i % 2 == 0) {
        FeedbackResult r;
        if (!m->RecordFeedback({Numbered("r", i), "", "c"}, &r).ok()) _exit(2);
      }
    }
    // Wait (bounded) for the background writer, without calling Flush.
    for (int i = 0; i < 500 && m->store_stats().pending_rows > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    (void)!write(ready_fd, "x", 1);
    pause();
  });
  Reopen();
  nlohmann::json s = Summary("kill2");
  EXPECT_EQ(s["total_requests"], 1000);
  EXPECT_EQ(s["arms"][0]["feedback"].get<int>() + s["arms"][1]["feedback"].get<int>(), 500);
}

}  // namespace
}  // namespace prodcat::experiments
