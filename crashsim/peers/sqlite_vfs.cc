#include "crashsim/peers/sqlite_vfs.h"

#include <atomic>
#include <cstring>

namespace crashsim::peers {

namespace {

// SQLITE_DEFAULT_SECTOR_SIZE, what unixSectorSize reports on Linux.
constexpr int kSectorSize = 4096;
constexpr int kMaxPathname = 512;

// One file SQLite holds open. SQLite allocates szOsFile bytes and sees only
// `base`; the C++ state lives behind `state`.
struct FileState {
  SqliteVfs* owner;
  std::unique_ptr<vfs::File> file;
  // os_unix.c: a journal or WAL opened with SQLITE_OPEN_CREATE syncs its
  // directory once, right after its first xSync.
  bool dir_sync_owed;
};
struct SqliteFile {
  sqlite3_file base;
  FileState* state;
};
static_assert(std::is_standard_layout_v<SqliteFile>);

FileState& state_of(sqlite3_file* f) { return *reinterpret_cast<SqliteFile*>(f)->state; }
SqliteVfs& owner_of(sqlite3_vfs* v) { return *static_cast<SqliteVfs*>(v->pAppData); }

// Keeps `status` for the adapter's error message and returns `code`.
int fail(SqliteVfs& owner, vfs::Status status, int code) {
  owner.set_last_error(std::move(status));
  return code;
}

int file_close(sqlite3_file* f) {
  FileState* state = reinterpret_cast<SqliteFile*>(f)->state;
  const vfs::Status s = state->file->close();
  SqliteVfs& owner = *state->owner;
  delete state;
  reinterpret_cast<SqliteFile*>(f)->state = nullptr;
  return s.ok() ? SQLITE_OK : fail(owner, s, SQLITE_IOERR_CLOSE);
}

int file_read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  FileState& st = state_of(f);
  auto* out = static_cast<uint8_t*>(buf);
  vfs::Result<size_t> got = st.file->read_at(static_cast<uint64_t>(offset), {out, static_cast<size_t>(amount)});
  if (!got.ok()) return fail(*st.owner, got.status(), SQLITE_IOERR_READ);
  if (*got == static_cast<size_t>(amount)) return SQLITE_OK;
  // SQLite requires the unread tail to be zeros on a short read.
  std::memset(out + *got, 0, static_cast<size_t>(amount) - *got);
  return SQLITE_IOERR_SHORT_READ;
}

int file_write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  FileState& st = state_of(f);
  const vfs::Status s = st.file->write_at(static_cast<uint64_t>(offset),
                                          {static_cast<const uint8_t*>(buf), static_cast<size_t>(amount)});
  if (s.ok()) return SQLITE_OK;
  // unixWrite reports a full disk as SQLITE_FULL.
  return fail(*st.owner, s, s.is_no_space() ? SQLITE_FULL : SQLITE_IOERR_WRITE);
}

int file_truncate(sqlite3_file* f, sqlite3_int64 size) {
  FileState& st = state_of(f);
  const vfs::Status s = st.file->truncate(static_cast<uint64_t>(size));
  return s.ok() ? SQLITE_OK : fail(*st.owner, s, SQLITE_IOERR_TRUNCATE);
}

int file_sync(sqlite3_file* f, int /*flags: fdatasync whatever they say, as unixSync on Linux*/) {
  FileState& st = state_of(f);
  if (vfs::Status s = st.file->sync(); !s.ok()) return fail(*st.owner, s, SQLITE_IOERR_FSYNC);
  if (st.dir_sync_owed) {
    // unixSync ignores a failure of this directory sync ("many systems are
    // unable to fsync a directory"), and so does this shim.
    (void)st.owner->files().sync_dir(vfs::parent_dir(st.file->path()));
    st.dir_sync_owed = false;
  }
  return SQLITE_OK;
}

int file_size(sqlite3_file* f, sqlite3_int64* size) {
  FileState& st = state_of(f);
  vfs::Result<uint64_t> n = st.file->size();
  if (!n.ok()) return fail(*st.owner, n.status(), SQLITE_IOERR_FSTAT);
  *size = static_cast<sqlite3_int64>(*n);
  return SQLITE_OK;
}

int file_lock(sqlite3_file*, int) { return SQLITE_OK; }
int file_check_reserved_lock(sqlite3_file*, int* held) {
  *held = 0;
  return SQLITE_OK;
}
int file_control(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
int file_sector_size(sqlite3_file*) { return kSectorSize; }
int file_device_characteristics(sqlite3_file*) { return SQLITE_IOCAP_POWERSAFE_OVERWRITE; }

const sqlite3_io_methods kIoMethods = {
    1,  // no shared-memory methods
    file_close, file_read, file_write, file_truncate, file_sync, file_size, file_lock, file_lock,
    file_check_reserved_lock, file_control, file_sector_size, file_device_characteristics,
    nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
};

int vfs_open(sqlite3_vfs* v, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  SqliteVfs& owner = owner_of(v);
  f->pMethods = nullptr;  // SQLite calls xClose only when the open succeeded
  if (name == nullptr || (flags & SQLITE_OPEN_DELETEONCLOSE) != 0) {
    return fail(owner,
                vfs::Status::not_supported("sqlite open of a temporary file: not supported by the crashsim shim "
                                           "(run with PRAGMA temp_store=MEMORY)"),
                SQLITE_CANTOPEN);
  }
  const std::string path(name);
  const bool create = (flags & SQLITE_OPEN_CREATE) != 0;
  if ((flags & SQLITE_OPEN_EXCLUSIVE) != 0) {
    vfs::Result<bool> exists = owner.files().exists(path);
    if (!exists.ok()) return fail(owner, exists.status(), SQLITE_CANTOPEN);
    if (*exists) return fail(owner, vfs::Status::invalid_argument("open " + path + ": exists (O_EXCL)"), SQLITE_CANTOPEN);
  }
  vfs::Result<std::unique_ptr<vfs::File>> file =
      owner.files().open(path, create ? vfs::OpenMode::kCreate : vfs::OpenMode::kMustExist);
  if (!file.ok()) return fail(owner, file.status(), SQLITE_CANTOPEN);
  const int type = flags & 0x0FFFFF00;
  const bool journal = type == SQLITE_OPEN_MAIN_JOURNAL || type == SQLITE_OPEN_SUPER_JOURNAL || type == SQLITE_OPEN_WAL;
  reinterpret_cast<SqliteFile*>(f)->state = new FileState{&owner, std::move(file).value(), create && journal};
  f->pMethods = &kIoMethods;
  if (out_flags != nullptr) *out_flags = flags;
  return SQLITE_OK;
}

int vfs_delete(sqlite3_vfs* v, const char* name, int dir_sync) {
  SqliteVfs& owner = owner_of(v);
  const std::string path(name);
  if (vfs::Status s = owner.files().remove(path); !s.ok())
    return fail(owner, s, s.is_not_found() ? SQLITE_IOERR_DELETE_NOENT : SQLITE_IOERR_DELETE);
  if ((dir_sync & 1) != 0) {
    if (vfs::Status s = owner.files().sync_dir(vfs::parent_dir(path)); !s.ok())
      return fail(owner, s, SQLITE_IOERR_DIR_FSYNC);
  }
  return SQLITE_OK;
}

int vfs_access(sqlite3_vfs* v, const char* name, int flags, int* result) {
  SqliteVfs& owner = owner_of(v);
  const std::string path(name);
  vfs::Result<bool> exists = owner.files().exists(path);
  if (!exists.ok()) return fail(owner, exists.status(), SQLITE_IOERR_ACCESS);
  *result = *exists ? 1 : 0;
  if (*exists && flags == SQLITE_ACCESS_EXISTS) {
    // unixAccess: a regular file of size 0 does not count as existing.
    vfs::Result<uint64_t> size = owner.files().file_size(path);
    if (!size.ok()) return fail(owner, size.status(), SQLITE_IOERR_ACCESS);
    *result = *size > 0 ? 1 : 0;
  }
  return SQLITE_OK;
}

int vfs_full_pathname(sqlite3_vfs*, const char* name, int out_size, char* out) {
  const size_t n = std::strlen(name);
  if (n + 1 > static_cast<size_t>(out_size)) return SQLITE_CANTOPEN;
  std::memcpy(out, name, n + 1);
  return SQLITE_OK;
}

// SQLite's own PRNG is seeded from the default VFS, not from this one; what
// asks this one gets fixed bytes, so that nothing here varies between runs.
int vfs_randomness(sqlite3_vfs*, int n, char* out) {
  std::memset(out, 0, static_cast<size_t>(n));
  return n;
}
// Nothing here can be waited for: there is one connection per Vfs.
int vfs_sleep(sqlite3_vfs*, int micros) { return micros; }
// A fixed instant (the Unix epoch as a Julian day), for the same reason.
constexpr sqlite3_int64 kEpochJulianMillis = 210866760000000;
int vfs_current_time_int64(sqlite3_vfs*, sqlite3_int64* now) {
  *now = kEpochJulianMillis;
  return SQLITE_OK;
}
int vfs_current_time(sqlite3_vfs*, double* now) {
  *now = static_cast<double>(kEpochJulianMillis) / 86400000.0;
  return SQLITE_OK;
}
int vfs_get_last_error(sqlite3_vfs*, int, char*) { return 0; }

std::atomic<uint64_t> next_id{0};

}  // namespace

SqliteVfs::SqliteVfs(vfs::Vfs& files, std::string name) : files_(files), name_(std::move(name)) {
  vfs_.iVersion = 2;
  vfs_.szOsFile = sizeof(SqliteFile);
  vfs_.mxPathname = kMaxPathname;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = vfs_open;
  vfs_.xDelete = vfs_delete;
  vfs_.xAccess = vfs_access;
  vfs_.xFullPathname = vfs_full_pathname;
  vfs_.xRandomness = vfs_randomness;
  vfs_.xSleep = vfs_sleep;
  vfs_.xCurrentTime = vfs_current_time;
  vfs_.xGetLastError = vfs_get_last_error;
  vfs_.xCurrentTimeInt64 = vfs_current_time_int64;
}

vfs::Result<std::unique_ptr<SqliteVfs>> SqliteVfs::register_over(vfs::Vfs& files) {
  std::unique_ptr<SqliteVfs> shim(new SqliteVfs(files, "crashsim-" + std::to_string(next_id.fetch_add(1))));
  if (const int rc = sqlite3_vfs_register(&shim->vfs_, /*makeDflt=*/0); rc != SQLITE_OK)
    return vfs::Status::io_error("sqlite3_vfs_register " + shim->name_ + ": " + sqlite3_errstr(rc));
  return shim;
}

SqliteVfs::~SqliteVfs() { sqlite3_vfs_unregister(&vfs_); }

vfs::Status SqliteVfs::take_last_error() { return std::exchange(last_error_, vfs::Status()); }

}  // namespace crashsim::peers
