// `prodcat runs list|show|compare`: browse tracked runs on any tracking store.
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <memory>

#include "commands.h"
#include "prodcat/tracking/run_comparison.h"
#include "prodcat/tracking/tracking_client.h"

namespace prodcat::cli {

namespace {

using tracking::TrackingClient;

void AddStoreOption(CLI::App* cmd, std::string* uri) {
  cmd->add_option("--tracking-uri,--store", *uri,
                  "sqlite:///path.db, postgresql://..., or http://host:port (default: "
                  "$PRODCAT_TRACKING_URI or ./prodcat-store/tracking.db)");
}

std::string FormatTime(int64_t ms) {
  if (ms <= 0) return "-";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

template <typename F>
void WithClient(const std::string& uri, F body) {
  std::unique_ptr<TrackingClient> client;
  Status s = TrackingClient::Open(uri, &client);
  if (s.ok()) s = body(*client);
  if (!s.ok()) ExitCode() = Fail(s);
}

}  // namespace

void RegisterRuns(CLI::App& app) {
  auto* runs = app.add_subcommand("runs", "List, show and compare tracked runs");
  runs->require_subcommand(1);

  {
    auto* cmd = runs->add_subcommand("list", "List runs, newest first");
    struct Args {
      std::string uri, experiment = "prodcat", filter;
      std::vector<std::string> order_by;
      int64_t max = 50;
      bool deleted = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--experiment", a->experiment, "Experiment name")->capture_default_str();
    cmd->add_option("--filter", a->filter,
                    "e.g. \"metrics.macro_f1 > 0.9 and params.model = 'linear'\"");
    cmd->add_option("--order-by", a->order_by, "e.g. \"metrics.macro_f1 DESC\" (repeatable)");
    cmd->add_option("--max", a->max, "At most this many runs")->capture_default_str();
    cmd->add_flag("--deleted", a->deleted, "List deleted runs instead");
    AddStoreOption(cmd, &a->uri);
    cmd->callback([a] {
      WithClient(a->uri, [&](TrackingClient& client) -> Status {
        tracking::Experiment e;
        PRODCAT_RETURN_IF_ERROR(client.store().GetExperimentByName(a->experiment, &e));
        tracking::RunSearch q;
        q.experiment_ids = {e.experiment_id};
        q.filter = a->filter;
        q.order_by = a->order_by;
        q.max_results = std::min<int64_t>(std::max<int64_t>(a->max, 1), 50000);
        q.view_type =
            a->deleted ? tracking::ViewType::kDeletedOnly : tracking::ViewType::kActiveOnly;
        tracking::Page<tracking::Run> page;
        PRODCAT_RETURN_IF_ERROR(client.store().SearchRuns(q, &page));
        std::printf("%-32s %-24s %-9s %-21s %s\n", "RUN ID", "NAME", "STATUS", "STARTED",
                    "METRICS");
        for (const tracking::Run& r : page.items) {
          std::string metrics;
          for (size_t i = 0; i < r.metrics.size() && i < 4; ++i) {
            char buf[96];
            std::snprintf(buf, sizeof(buf), "%s%s=%.4g", i ? " " : "", r.metrics[i].key.c_str(),
                          r.metrics[i].value);
            metrics += buf;
          }
          if (r.metrics.size() > 4) metrics += " ...";
          std::printf("%-32s %-24s %-9s %-21s %s\n", r.info.run_id.c_str(),
                      r.info.run_name.substr(0, 24).c_str(), RunStatusName(r.info.status),
                      FormatTime(r.info.start_time).c_str(), metrics.c_str());
        }
        if (!page.next_page_token.empty()) std::printf("(more runs: raise --max)\n");
        return Status::Ok();
      });
    });
  }

  {
    auto* cmd = runs->add_subcommand("show", "Show one run: params, metrics, tags, inputs");
    struct Args {
      std::string uri, run_id;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("run_id", a->run_id, "Run ID")->required();
    AddStoreOption(cmd, &a->uri);
    cmd->callback([a] {
      WithClient(a->uri, [&](TrackingClient& client) -> Status {
        tracking::Run r;
        PRODCAT_RETURN_IF_ERROR(client.store().GetRun(a->run_id, &r));
        std::printf("run        %s (%s)\n", r.info.run_id.c_str(), r.info.run_name.c_str());
        std::printf("experiment %s\nstatus     %s%s\n", r.info.experiment_id.c_str(),
                    RunStatusName(r.info.status),
                    r.info.lifecycle_stage == "deleted" ? " (deleted)" : "");
        std::printf("started    %s\nended      %s\nuser       %s\nartifacts  %s\n",
                    FormatTime(r.info.start_time).c_str(),
                    r.info.end_time ? FormatTime(*r.info.end_time).c_str() : "-",
                    r.info.user_id.c_str(), r.info.artifact_uri.c_str());
        std::printf("\nparams\n");
        for (const auto& p : r.params) std::printf("  %-32s %s\n", p.key.c_str(), p.value.c_str());
        std::printf("\nmetrics (latest)\n");
        for (const auto& m : r.metrics) {
          std::printf("  %-32s %.6g (step %lld)\n", m.key.c_str(), m.value,
                      static_cast<long long>(m.step));
        }
        std::printf("\ntags\n");
        for (const auto& t : r.tags) std::printf("  %-32s %s\n", t.key.c_str(), t.value.c_str());
        if (!r.inputs.empty()) std::printf("\ninputs\n");
        for (const auto& in : r.inputs) {
          std::string context;
          for (const auto& t : in.tags) {
            if (t.key == tracking::kInputTagContext) context = " [" + t.value + "]";
          }
          std::printf("  %s%s digest %s source %s\n", in.dataset.name.c_str(), context.c_str(),
                      in.dataset.digest.c_str(), in.dataset.source.c_str());
        }
        return Status::Ok();
      });
    });
  }

  {
    auto* cmd = runs->add_subcommand(
        "compare", "Compare runs side by side; '*' (and bold on a terminal) marks differences");
    struct Args {
      std::string uri;
      std::vector<std::string> run_ids;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("run_ids", a->run_ids, "Two or more run IDs")->required()->expected(2, 1000);
    AddStoreOption(cmd, &a->uri);
    cmd->callback([a] {
      WithClient(a->uri, [&](TrackingClient& client) -> Status {
        std::vector<tracking::Run> runs;
        for (const std::string& id : a->run_ids) {
          tracking::Run r;
          PRODCAT_RETURN_IF_ERROR(client.store().GetRun(id, &r));
          runs.push_back(std::move(r));
        }
        auto rows = tracking::CompareRuns(runs);
        std::fputs(tracking::FormatComparison(runs, rows, isatty(STDOUT_FILENO)).c_str(), stdout);
        return Status::Ok();
      });
    });
  }
}

}  // namespace prodcat::cli
