#include "prodcat/models/gbdt_params.h"

#include "prodcat/models/linear_param_reader.h"

namespace prodcat {

nlohmann::json GbdtParams::ToJson() const {
  return {{"num_rounds", num_rounds},
          {"learning_rate", learning_rate},
          {"max_depth", max_depth},
          {"min_child_weight", min_child_weight},
          {"subsample", subsample},
          {"colsample_bytree", colsample_bytree},
          {"lambda", lambda},
          {"max_bin", max_bin},
          {"early_stopping_rounds", early_stopping_rounds},
          {"tree_method", tree_method},
          {"max_train_rows", max_train_rows},
          {"nthread", nthread},
          {"stack_text", stack_text},
          {"stack_folds", stack_folds},
          {"stack_params", stack_params}};
}

Status GbdtParams::FromJson(const nlohmann::json& params, GbdtParams* out) {
  GbdtParams p;
  // stack_params is a nested mapping handed to the linear family, which validates it itself;
  // ParamReader only knows scalars, so it is taken out before the strict pass.
  nlohmann::json scalars = params.is_null() ? nlohmann::json::object() : params;
  if (!scalars.is_object()) return Status::InvalidArgument("gbdt parameters must be a mapping");
  if (auto it = scalars.find("stack_params"); it != scalars.end()) {
    if (!it->is_object()) {
      return Status::InvalidArgument(
          "gbdt parameter 'stack_params': expected a mapping of linear parameters, got " +
          it->dump());
    }
    p.stack_params = *it;
    scalars.erase(it);
  }
  ParamReader r("gbdt", scalars);
  PRODCAT_RETURN_IF_ERROR(r.Integer("num_rounds", 1, 100000, &p.num_rounds));
  PRODCAT_RETURN_IF_ERROR(r.Number("learning_rate", 1e-6, 1.0, &p.learning_rate));
  PRODCAT_RETURN_IF_ERROR(r.Integer("max_depth", 1, 16, &p.max_depth));
  PRODCAT_RETURN_IF_ERROR(r.Number("min_child_weight", 0.0, 1e9, &p.min_child_weight));
  PRODCAT_RETURN_IF_ERROR(r.Number("subsample", 1e-6, 1.0, &p.subsample));
  PRODCAT_RETURN_IF_ERROR(r.Number("colsample_bytree", 1e-6, 1.0, &p.colsample_bytree));
  PRODCAT_RETURN_IF_ERROR(r.Number("lambda", 0.0, 1e9, &p.lambda));
  PRODCAT_RETURN_IF_ERROR(r.Integer("max_bin", 2, 65536, &p.max_bin));
  PRODCAT_RETURN_IF_ERROR(r.Integer("early_stopping_rounds", 0, 100000, &p.early_stopping_rounds));
  PRODCAT_RETURN_IF_ERROR(r.Choice("tree_method", {"hist", "approx", "exact"}, &p.tree_method));
  PRODCAT_RETURN_IF_ERROR(r.Integer("max_train_rows", int64_t{0}, INT64_MAX, &p.max_train_rows));
  PRODCAT_RETURN_IF_ERROR(r.Integer("nthread", 0, 4096, &p.nthread));
  PRODCAT_RETURN_IF_ERROR(r.Boolean("stack_text", &p.stack_text));
  PRODCAT_RETURN_IF_ERROR(r.Integer("stack_folds", 2, 20, &p.stack_folds));
  PRODCAT_RETURN_IF_ERROR(r.RejectUnknownKeys());
  // Stacked text scores must be produced the same way out-of-fold and at inference; the linear
  // family's temperature calibration would need validation rows the fold models do not have.
  if (!p.stack_params.contains("calibration")) p.stack_params["calibration"] = "none";
  *out = std::move(p);
  return Status::Ok();
}

}  // namespace prodcat
