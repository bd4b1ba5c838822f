// A throwaway PostgreSQL server for tests and benchmarks: initdb into a temporary directory, start
// it with pg_ctl on 127.0.0.1 and a free port (unix socket in the same directory), one database
// per test, stopped and removed at process exit. Debian's postgresql package provides the
// binaries (/usr/lib/postgresql/<version>/bin). The server refuses to run as root, so as root
// everything runs as the `postgres` account through runuser.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace prodcat::testing {

class PostgresCluster {
 public:
  // The process-wide cluster, started on first use. Check ok() / error().
  static PostgresCluster& Shared() {
    static std::unique_ptr<PostgresCluster> cluster(new PostgresCluster());
    return *cluster;
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // True when CI=true: a missing PostgreSQL must fail the suite there, not skip it.
  static bool RequiredByCi() {
    const char* ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
  }

  std::string Uri(const std::string& database) const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }

  // Creates a fresh, empty database and returns its URI ("" and *error on failure).
  std::string NewDatabase(const std::string& prefix, std::string* error) {
    static std::atomic<int> counter{0};
    std::string name = prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    PGconn* conn = PQconnectdb(Uri("postgres").c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
      *error = PQerrorMessage(conn);
      PQfinish(conn);
      return "";
    }
    PGresult* res = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    bool created = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!created) *error = PQresultErrorMessage(res);
    PQclear(res);
    PQfinish(conn);
    return created ? Uri(name) : "";
  }

  ~PostgresCluster() {
    if (started_ && owner_pid_ == getpid()) {
      Run({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"});
    }
    if (!dir_.empty() && owner_pid_ == getpid()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

 private:
  PostgresCluster() {
    owner_pid_ = getpid();
    bin_ = FindBinDir();
    if (bin_.empty()) {
      error_ =
          "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb); install "
          "Debian's 'postgresql' package (scripts/install-deps.sh does)";
      return;
    }
    char tmpl[] = "/tmp/prodcat-pg-XXXXXX";
    if (!mkdtemp(tmpl)) {
      error_ = "mkdtemp failed";
      return;
    }
    dir_ = tmpl;
    if (geteuid() == 0) {
      const passwd* pw = getpwnam("postgres");
      if (!pw) {
        error_ = "running as root but there is no 'postgres' account to run the server as";
        return;
      }
      postgres_uid_ = pw->pw_uid;
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        error_ = "cannot chown " + dir_ + " to postgres";
        return;
      }
    }
    if (Run({bin_ + "/initdb", "-D", dir_ + "/data", "-A", "trust", "-U", "postgres", "--no-sync",
             "-E", "UTF8", "--locale=C"}) != 0) {
      error_ = "initdb failed (see " + dir_ + "/cmd.log)";
      return;
    }
    port_ = FreePort();
    std::string server_options = "-p " + std::to_string(port_) + " -k " + dir_ +
                                 " -c listen_addresses=127.0.0.1 -c fsync=off"
                                 " -c synchronous_commit=off -c full_page_writes=off"
                                 " -c max_connections=200";
    if (Run({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-o", server_options, "-l",
             dir_ + "/server.log", "-w", "-t", "60", "start"}) != 0) {
      error_ = "pg_ctl start failed (see " + dir_ + "/server.log)";
      return;
    }
    started_ = true;
  }

  static std::string FindBinDir() {
    std::vector<std::string> candidates;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
      if (std::filesystem::exists(entry.path() / "bin" / "initdb")) {
        candidates.push_back((entry.path() / "bin").string());
      }
    }
    std::sort(candidates.begin(), candidates.end());
    return candidates.empty() ? "" : candidates.back();
  }

  static int FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    int port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
  }

  // Runs a server tool (as `postgres` when we are root); output goes to <dir>/cmd.log.
  int Run(std::vector<std::string> args) const {
    if (geteuid() == 0) {
      std::string runuser =
          std::filesystem::exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser";
      args.insert(args.begin(), {runuser, "-u", "postgres", "--"});
    }
    pid_t pid = fork();
    if (pid == 0) {
      int log = open((dir_ + "/cmd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0666);
      if (log >= 0) {
        dup2(log, 1);
        dup2(log, 2);
      }
      if (chdir(dir_.c_str()) != 0) _exit(126);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string error_;       // why the cluster is unusable; empty when it runs
  std::string bin_;         // PostgreSQL's bin directory
  std::string dir_;         // temporary directory: data/, socket, logs
  int port_ = 0;            // TCP port on 127.0.0.1
  uid_t postgres_uid_ = 0;  // account the server runs as when we are root
  bool started_ = false;    // pg_ctl start succeeded
  pid_t owner_pid_ = 0;     // only the starting process stops it (forked children do not)
};

}  // namespace prodcat::testing
