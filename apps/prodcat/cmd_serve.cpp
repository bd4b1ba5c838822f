#include "commands.h"

namespace prodcat::cli {

void RegisterServe(CLI::App& app) {
  app.add_subcommand("serve", "Serve a model over HTTP (not built yet)");
}

}  // namespace prodcat::cli
