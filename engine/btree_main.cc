// btree: the command-line tool over the engine's public API.
//
//   btree [global options] PATH COMMAND [args]
//   put KEY VALUE | get KEY | del KEY | scan [--from K] [--to K] [--limit N]
//   load [FILE|-] | verify | stats [--json] | dump [--json]
//
// dump reads the files' bytes without opening the database at all. get,
// scan, verify and stats open the database read-only (and so does any
// command with --read-only): recovery runs in memory, and not a byte of either
// file is created, written or synced, so they can look at a crash state kept
// by `crashsim replay --keep` without repairing it. put, del and load open it
// for writing, which runs recovery's checkpoint first; load creates the
// database only when it has a batch to commit.
//
// Exit codes: 0 success; 1 key not found (get) or verify found problems;
// 2 usage error (bad arguments, malformed load input, a key or value over the
// limits); 3 the database could not be opened, read or written (missing
// file for a read-only command, I/O error, corruption); 4 the database is in
// use (another process has it open for writing, or, for put, del and load,
// open at all): nothing was read or written, so the command may be retried.
// Errors go to stderr prefixed "btree: ".
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/btree_dump.h"
#include "engine/db.h"
#include "engine/load_script.h"
#include "engine/printable.h"
#include "vfs/posix_vfs.h"

namespace {

using engine::Db;
using engine::Status;

constexpr int kExitOk = 0;
constexpr int kExitNotFound = 1;
constexpr int kExitUsage = 2;
constexpr int kExitIo = 3;
constexpr int kExitBusy = 4;

int fail(const std::string& message, int code) {
  std::cerr << "btree: " << message << "\n";
  return code;
}

int fail(const Status& s) {
  switch (s.code()) {
    case vfs::StatusCode::kInvalidArgument:
      return fail(s.to_string(), kExitUsage);
    case vfs::StatusCode::kBusy:
      return fail(s.to_string(), kExitBusy);
    default:
      return fail(s.to_string(), kExitIo);
  }
}

void write_bytes(std::string_view bytes) { std::cout.write(bytes.data(), std::streamsize(bytes.size())); }

struct GlobalOptions {
  std::string path;
  uint32_t page_size = 0;
  size_t cache_pages = 1024;
  uint32_t checkpoint_every = 1000;
  std::string mutant = "none";
  bool read_only = false;
};

// Opens the database; read-only, it neither creates nor changes anything.
vfs::Result<std::unique_ptr<Db>> open_database(const GlobalOptions& g, bool read_only) {
  engine::Options options;
  options.page_size = g.page_size;
  options.read_only = read_only;
  options.cache_pages = g.cache_pages;
  options.checkpoint_every_commits = g.checkpoint_every;
  const auto mutant = engine::mutant_from_name(g.mutant);
  if (!mutant) return Status::invalid_argument("unknown mutant '" + g.mutant + "' (see engine/mutant.h)");
  options.mutant = *mutant;
  return Db::open(vfs::default_vfs(), g.path, options);
}

int open_db(const GlobalOptions& g, bool read_only, std::unique_ptr<Db>* db) {
  auto opened = open_database(g, read_only);
  if (!opened.ok()) return fail(opened.status());
  *db = std::move(opened).value();
  return kExitOk;
}

// Closes the database, reporting a failed final checkpoint as an I/O error.
int finish(Db& db, int code) {
  const Status s = db.close();
  if (!s.ok() && code == kExitOk) return fail(s);
  return code;
}

int run_scan(Db& db, const std::optional<std::string>& from, const std::optional<std::string>& to,
             std::optional<uint64_t> limit) {
  auto cursor = db.new_cursor();
  if (!cursor.ok()) return fail(cursor.status());
  if (from) {
    (*cursor)->seek(*from);
  } else {
    (*cursor)->seek_to_first();
  }
  uint64_t printed = 0;
  for (; (*cursor)->valid(); (*cursor)->next()) {
    if (to && (*cursor)->key() >= *to) break;
    if (limit && printed == *limit) break;
    std::cout << engine::printable_field((*cursor)->key()) << '\t' << engine::printable_field((*cursor)->value())
              << '\n';
    ++printed;
  }
  if (!(*cursor)->status().ok()) return fail((*cursor)->status());
  return kExitOk;
}

// Applies a load script (engine/load_script.h); the database is opened, and
// created when missing, by its first commit. A malformed line or a key over
// the limit is kInvalidArgument, so it exits as a usage error.
int run_load(const GlobalOptions& g, const std::string& file) {
  std::ifstream file_stream;
  std::istream* in = &std::cin;
  if (file != "-") {
    file_stream.open(file, std::ios::binary);
    if (!file_stream) return fail("load: cannot open " + file, kExitUsage);
    in = &file_stream;
  }
  std::unique_ptr<Db> db;
  const Status s = engine::apply_load_script(*in, file == "-" ? "<stdin>" : file, [&]() -> vfs::Result<Db*> {
    ASSIGN_OR_RETURN(db, open_database(g, g.read_only));
    return db.get();
  });
  const int code = s.ok() ? kExitOk : fail(s);
  return db ? finish(*db, code) : code;
}

// The whole file, or nullopt when it does not exist.
vfs::Result<std::optional<std::vector<uint8_t>>> read_whole_file(vfs::Vfs& fs, const std::string& path) {
  ASSIGN_OR_RETURN(const bool exists, fs.exists(path));
  if (!exists) return std::optional<std::vector<uint8_t>>();
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::File> file, fs.open(path, vfs::OpenMode::kReadOnly));
  ASSIGN_OR_RETURN(const uint64_t size, file->size());
  std::vector<uint8_t> bytes(size);
  ASSIGN_OR_RETURN(const size_t got, file->read_at(0, bytes));
  bytes.resize(got);
  return std::optional<std::vector<uint8_t>>(std::move(bytes));
}

// Describes both files as they are: no recovery, nothing written.
int run_dump(const GlobalOptions& g, bool json) {
  const auto mutant = engine::mutant_from_name(g.mutant);
  if (!mutant) return fail("unknown mutant '" + g.mutant + "' (see engine/mutant.h)", kExitUsage);
  engine::DumpFiles files{g.path, g.path + "-wal", std::nullopt, std::nullopt, *mutant};
  auto data = read_whole_file(vfs::default_vfs(), files.data_path);
  if (!data.ok()) return fail(data.status().with("dump"));
  auto wal = read_whole_file(vfs::default_vfs(), files.wal_path);
  if (!wal.ok()) return fail(wal.status().with("dump"));
  if (!*data && !*wal) return fail("dump: neither " + files.data_path + " nor " + files.wal_path + " exists", kExitIo);
  files.data = std::move(*data);
  files.wal = std::move(*wal);
  const nlohmann::json dump = engine::dump_json(files);
  // Keys are bytes: any that is not UTF-8 is shown with U+FFFD in JSON (the text form escapes it).
  std::cout << (json ? dump.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"
                     : engine::dump_text(dump));
  return kExitOk;
}

int run_verify(Db& db) {
  auto report = db.verify();
  if (!report.ok()) return fail(report.status());
  if (report->ok()) {
    std::cout << "ok: " << report->pages_checked << " pages, " << report->keys_checked << " keys\n";
    return kExitOk;
  }
  for (const auto& v : report->violations)
    std::cout << engine::violation_kind_name(v.kind) << " page " << v.page << ": " << v.message << "\n";
  return fail("verify found " + std::to_string(report->violations.size()) + " problem(s)", kExitNotFound);
}

int run_stats(Db& db, bool json) {
  auto stats = db.stats();
  if (!stats.ok()) return fail(stats.status());
  const engine::Stats& s = *stats;
  if (json) {
    const nlohmann::json j = {
        {"page_size", s.page_size},   {"page_count", s.page_count}, {"depth", s.depth},
        {"free_pages", s.free_pages}, {"wal_bytes", s.wal_bytes},   {"key_count", s.key_count},
    };
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "page size:  " << s.page_size << "\n"
              << "page count: " << s.page_count << "\n"
              << "depth:      " << s.depth << "\n"
              << "free pages: " << s.free_pages << "\n"
              << "WAL bytes:  " << s.wal_bytes << "\n"
              << "key count:  " << s.key_count << "\n";
  }
  return kExitOk;
}

int run(int argc, char** argv) {
  CLI::App app{"btree: a key-value store on a B+tree with a write-ahead log"};
  app.fallthrough();  // global options may follow the command
  app.require_subcommand(0, 1);  // none: said below, naming what was given
  GlobalOptions g;
  app.add_option("PATH", g.path, "database file (its WAL is PATH-wal)")->required();
  app.add_option("--page-size", g.page_size,
                 "page size for a new database: a power of two in [512, 65536] (default 4096; an existing "
                 "database keeps its own)");
  app.add_option("--cache-pages", g.cache_pages, "clean pages kept in memory")->capture_default_str();
  app.add_option("--checkpoint-every", g.checkpoint_every, "checkpoint after this many commits (0: never by count)")
      ->capture_default_str();
  app.add_option("--mutant", g.mutant,
                 "testing aid: run with a deliberate defect from engine/mutant.h (e.g. leak-empty-leaves)")
      ->capture_default_str();
  app.add_flag("--read-only", g.read_only,
               "open without creating or changing any file (the default for get, scan, verify and stats; "
               "put, del and load are then refused)");

  std::string key, value, file = "-";
  std::optional<std::string> from, to;
  std::optional<uint64_t> limit;
  bool json = false;
  auto* put = app.add_subcommand("put", "store VALUE under KEY");
  put->add_option("KEY", key)->required();
  put->add_option("VALUE", value)->required();
  auto* get = app.add_subcommand("get", "print the value of KEY and a newline (exit 1 when absent)");
  get->add_option("KEY", key)->required();
  auto* del = app.add_subcommand("del", "delete KEY (succeeds when absent)");
  del->add_option("KEY", key)->required();
  auto* scan = app.add_subcommand(
      "scan", "print KEY<TAB>VALUE lines in key order (tab, newline, backslash and control bytes escaped: \\t \\n "
              "\\\\ \\xNN)");
  scan->add_option("--from", from, "first key, inclusive");
  scan->add_option("--to", to, "end key, exclusive");
  scan->add_option("--limit", limit, "print at most N entries");
  auto* load = app.add_subcommand(
      "load",
      "apply lines put<TAB>KEY<TAB>VALUE, del<TAB>KEY and commit; each commit line and the end of the "
      "input commit the operations since the previous one as a batch; empty lines are skipped");
  load->add_option("FILE", file, "script to read, - for stdin")->capture_default_str();
  auto* verify = app.add_subcommand("verify", "check the file's structure (exit 1 with one line per problem)");
  auto* stats = app.add_subcommand("stats", "print page size, page count, depth, free pages, WAL size, keys");
  stats->add_flag("--json", json, "print a JSON object");
  auto* dump = app.add_subcommand(
      "dump",
      "describe the bytes of PATH and PATH-wal without opening the database: the WAL header, every frame (page, "
      "type, generation, sequence, commit mark, checksums, whether a commit completes it) and every data page "
      "(type, checksum, keys, links) with the free list; works on any file, however damaged");
  dump->add_flag("--json", json, "print a JSON document");
  app.allow_extras();  // after the subcommands, which keep refusing extras: a word left over is an unknown command

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(std::string(e.what()) + " (run with --help for usage)", kExitUsage);
  }
  std::string commands;
  for (const CLI::App* sub : app.get_subcommands({})) commands += (commands.empty() ? "" : ", ") + sub->get_name();
  const std::vector<CLI::App*> given = app.get_subcommands();
  if (given.empty()) {
    return fail(app.remaining().empty() ? "no command given (expected one of: " + commands + ")"
                                        : "unknown command '" + app.remaining().front() + "' (expected one of: " +
                                              commands + ")",
                kExitUsage);
  }
  if (!app.remaining().empty()) {
    return fail(given.front()->get_name() + ": unexpected argument '" + app.remaining().front() +
                    "' (run with --help for usage)",
                kExitUsage);
  }

  if (load->parsed()) return run_load(g, file);
  if (dump->parsed()) return run_dump(g, json);
  const bool read_only = g.read_only || get->parsed() || scan->parsed() || verify->parsed() || stats->parsed();
  std::unique_ptr<Db> db;
  if (const int rc = open_db(g, read_only, &db); rc != kExitOk) return rc;

  int code = kExitOk;
  if (put->parsed()) {
    const Status s = db->put(key, value);
    code = s.ok() ? kExitOk : fail(s);
  } else if (get->parsed()) {
    std::string found;
    const Status s = db->get(key, &found);
    if (s.ok()) {
      write_bytes(found);
      std::cout << "\n";
    } else {
      code = s.is_not_found() ? fail("key not found: " + key, kExitNotFound) : fail(s);
    }
  } else if (del->parsed()) {
    const Status s = db->del(key);
    code = s.ok() ? kExitOk : fail(s);
  } else if (scan->parsed()) {
    code = run_scan(*db, from, to, limit);
  } else if (verify->parsed()) {
    code = run_verify(*db);
  } else if (stats->parsed()) {
    code = run_stats(*db, json);
  }
  std::cout.flush();
  return finish(*db, code);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    return fail(e.what(), kExitIo);
  }
}
