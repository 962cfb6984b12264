#include "crashsim/peers/leveldb_env.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace crashsim::peers {

namespace {

// PosixWritableFile's buffer (env_posix.cc, kWritableFileBufferSize).
constexpr size_t kWritableFileBufferSize = 65536;

std::string basename_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

class SequentialVfsFile final : public leveldb::SequentialFile {
 public:
  explicit SequentialVfsFile(std::unique_ptr<vfs::File> file) : file_(std::move(file)) {}

  leveldb::Status Read(size_t n, leveldb::Slice* result, char* scratch) override {
    vfs::Result<size_t> got = file_->read_at(offset_, {reinterpret_cast<uint8_t*>(scratch), n});
    if (!got.ok()) return to_leveldb(got.status());
    offset_ += *got;
    *result = leveldb::Slice(scratch, *got);
    return leveldb::Status::OK();
  }

  leveldb::Status Skip(uint64_t n) override {
    offset_ += n;
    return leveldb::Status::OK();
  }

 private:
  std::unique_ptr<vfs::File> file_;
  uint64_t offset_ = 0;
};

class RandomAccessVfsFile final : public leveldb::RandomAccessFile {
 public:
  explicit RandomAccessVfsFile(std::unique_ptr<vfs::File> file) : file_(std::move(file)) {}

  // LevelDB reads tables only from the thread that calls it and from queued
  // background work, which runs on that same thread, so the File is never
  // used by two threads at once.
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result, char* scratch) const override {
    vfs::Result<size_t> got = file_->read_at(offset, {reinterpret_cast<uint8_t*>(scratch), n});
    if (!got.ok()) return to_leveldb(got.status());
    *result = leveldb::Slice(scratch, *got);
    return leveldb::Status::OK();
  }

 private:
  std::unique_ptr<vfs::File> file_;
};

class WritableVfsFile final : public leveldb::WritableFile {
 public:
  WritableVfsFile(vfs::Vfs& files, std::unique_ptr<vfs::File> file, uint64_t end)
      : files_(files), file_(std::move(file)), end_(end),
        is_manifest_(basename_of(file_->path()).starts_with("MANIFEST")) {
    buffer_.reserve(kWritableFileBufferSize);
  }

  ~WritableVfsFile() override { (void)Close(); }

  leveldb::Status Append(const leveldb::Slice& data) override {
    const char* p = data.data();
    size_t n = data.size();
    const size_t fits = std::min(n, kWritableFileBufferSize - buffer_.size());
    buffer_.insert(buffer_.end(), p, p + fits);
    p += fits;
    n -= fits;
    if (n == 0) return leveldb::Status::OK();
    if (leveldb::Status s = FlushBuffer(); !s.ok()) return s;
    if (n < kWritableFileBufferSize) {
      buffer_.assign(p, p + n);
      return leveldb::Status::OK();
    }
    return write({p, n});
  }

  leveldb::Status Close() override {
    if (!file_) return leveldb::Status::OK();
    leveldb::Status s = FlushBuffer();
    const vfs::Status closed = file_->close();
    file_.reset();
    if (s.ok() && !closed.ok()) s = to_leveldb(closed);
    return s;
  }

  leveldb::Status Flush() override { return FlushBuffer(); }

  leveldb::Status Sync() override {
    // SyncDirIfManifest: the files a new manifest names must be in the
    // directory before the manifest itself is durable.
    if (is_manifest_) {
      if (vfs::Status s = files_.sync_dir(vfs::parent_dir(file_->path())); !s.ok()) return to_leveldb(s);
    }
    if (leveldb::Status s = FlushBuffer(); !s.ok()) return s;
    return to_leveldb(file_->sync());
  }

 private:
  leveldb::Status FlushBuffer() {
    const leveldb::Status s = write({buffer_.data(), buffer_.size()});
    buffer_.clear();
    return s;
  }

  leveldb::Status write(std::span<const char> bytes) {
    if (bytes.empty()) return leveldb::Status::OK();
    if (vfs::Status s = file_->write_at(end_, {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}); !s.ok())
      return to_leveldb(s);
    end_ += bytes.size();
    return leveldb::Status::OK();
  }

  vfs::Vfs& files_;
  std::unique_ptr<vfs::File> file_;
  uint64_t end_;  // where the next write goes: the file is only ever appended to
  const bool is_manifest_;
  std::vector<char> buffer_;
};

class NoFileLock final : public leveldb::FileLock {};

}  // namespace

leveldb::Status to_leveldb(const vfs::Status& status) {
  if (status.ok()) return leveldb::Status::OK();
  if (status.is_not_found()) return leveldb::Status::NotFound(status.message());
  if (status.is_corruption()) return leveldb::Status::Corruption(status.message());
  return leveldb::Status::IOError(status.message());
}

vfs::Status from_leveldb(const leveldb::Status& status, std::string_view context) {
  if (status.ok()) return vfs::Status();
  std::string message = "leveldb " + std::string(context) + ": " + status.ToString();
  if (status.IsNotFound()) return vfs::Status::not_found(std::move(message));
  if (status.IsCorruption()) return vfs::Status::corruption(std::move(message));
  if (status.IsNotSupportedError()) return vfs::Status::not_supported(std::move(message));
  if (status.IsInvalidArgument()) return vfs::Status::invalid_argument(std::move(message));
  return vfs::Status::io_error(std::move(message));
}

VfsEnv::VfsEnv(vfs::Vfs& files, std::string dbname)
    : leveldb::EnvWrapper(leveldb::Env::Default()), files_(files), dbname_(std::move(dbname)) {}

void VfsEnv::run_queued() {
  while (!queue_.empty()) {
    const auto [work, arg] = queue_.front();
    queue_.erase(queue_.begin());
    work(arg);
  }
}

leveldb::Status VfsEnv::map_path(const std::string& name, std::string* path) const {
  if (name == dbname_) {
    *path = ".";
    return leveldb::Status::OK();
  }
  if (name.size() > dbname_.size() + 1 && name.starts_with(dbname_) && name[dbname_.size()] == '/' &&
      name.find('/', dbname_.size() + 1) == std::string::npos) {
    *path = name.substr(dbname_.size() + 1);
    return leveldb::Status::OK();
  }
  return leveldb::Status::InvalidArgument(name, "not a file of the database directory " + dbname_);
}

leveldb::Status VfsEnv::open_file(const std::string& name, vfs::OpenMode mode, std::unique_ptr<vfs::File>* file) {
  std::string path;
  if (leveldb::Status s = map_path(name, &path); !s.ok()) return s;
  vfs::Result<std::unique_ptr<vfs::File>> opened = files_.open(path, mode);
  if (!opened.ok()) return to_leveldb(opened.status());
  *file = std::move(opened).value();
  return leveldb::Status::OK();
}

leveldb::Status VfsEnv::NewSequentialFile(const std::string& name, leveldb::SequentialFile** result) {
  std::unique_ptr<vfs::File> file;
  const leveldb::Status s = open_file(name, vfs::OpenMode::kMustExist, &file);
  *result = s.ok() ? new SequentialVfsFile(std::move(file)) : nullptr;
  return s;
}

leveldb::Status VfsEnv::NewRandomAccessFile(const std::string& name, leveldb::RandomAccessFile** result) {
  std::unique_ptr<vfs::File> file;
  const leveldb::Status s = open_file(name, vfs::OpenMode::kMustExist, &file);
  *result = s.ok() ? new RandomAccessVfsFile(std::move(file)) : nullptr;
  return s;
}

leveldb::Status VfsEnv::NewWritableFile(const std::string& name, leveldb::WritableFile** result) {
  *result = nullptr;
  std::unique_ptr<vfs::File> file;
  if (leveldb::Status s = open_file(name, vfs::OpenMode::kCreate, &file); !s.ok()) return s;
  // O_TRUNC.
  if (vfs::Status s = file->truncate(0); !s.ok()) return to_leveldb(s);
  *result = new WritableVfsFile(files_, std::move(file), 0);
  return leveldb::Status::OK();
}

leveldb::Status VfsEnv::NewAppendableFile(const std::string& name, leveldb::WritableFile** result) {
  *result = nullptr;
  std::unique_ptr<vfs::File> file;
  if (leveldb::Status s = open_file(name, vfs::OpenMode::kCreate, &file); !s.ok()) return s;
  vfs::Result<uint64_t> size = file->size();
  if (!size.ok()) return to_leveldb(size.status());
  *result = new WritableVfsFile(files_, std::move(file), *size);
  return leveldb::Status::OK();
}

bool VfsEnv::FileExists(const std::string& name) {
  std::string path;
  if (!map_path(name, &path).ok()) return false;
  vfs::Result<bool> exists = files_.exists(path);
  return exists.ok() && *exists;
}

leveldb::Status VfsEnv::GetChildren(const std::string& dir, std::vector<std::string>* result) {
  result->clear();
  std::string path;
  if (leveldb::Status s = map_path(dir, &path); !s.ok()) return s;
  vfs::Result<std::vector<std::string>> names = files_.list_dir(path);
  if (!names.ok()) return to_leveldb(names.status());
  *result = std::move(names).value();
  return leveldb::Status::OK();
}

leveldb::Status VfsEnv::RemoveFile(const std::string& name) {
  std::string path;
  if (leveldb::Status s = map_path(name, &path); !s.ok()) return s;
  return to_leveldb(files_.remove(path));
}

leveldb::Status VfsEnv::CreateDir(const std::string& dir) {
  std::string path;
  if (leveldb::Status s = map_path(dir, &path); !s.ok()) return s;
  return to_leveldb(files_.create_dir(path));
}

leveldb::Status VfsEnv::RemoveDir(const std::string& dir) {
  return leveldb::Status::NotSupported("remove directory " + dir, "the Vfs has no rmdir");
}

leveldb::Status VfsEnv::GetFileSize(const std::string& name, uint64_t* size) {
  *size = 0;
  std::string path;
  if (leveldb::Status s = map_path(name, &path); !s.ok()) return s;
  vfs::Result<uint64_t> n = files_.file_size(path);
  if (!n.ok()) return to_leveldb(n.status());
  *size = *n;
  return leveldb::Status::OK();
}

leveldb::Status VfsEnv::RenameFile(const std::string& from, const std::string& to) {
  std::string from_path, to_path;
  if (leveldb::Status s = map_path(from, &from_path); !s.ok()) return s;
  if (leveldb::Status s = map_path(to, &to_path); !s.ok()) return s;
  return to_leveldb(files_.rename(from_path, to_path));
}

leveldb::Status VfsEnv::LockFile(const std::string& name, leveldb::FileLock** lock) {
  *lock = nullptr;
  // env_posix.cc opens (creating) the LOCK file before taking the lock.
  std::unique_ptr<vfs::File> file;
  if (leveldb::Status s = open_file(name, vfs::OpenMode::kCreate, &file); !s.ok()) return s;
  if (vfs::Status s = file->close(); !s.ok()) return to_leveldb(s);
  *lock = new NoFileLock;
  return leveldb::Status::OK();
}

leveldb::Status VfsEnv::UnlockFile(leveldb::FileLock* lock) {
  delete lock;
  return leveldb::Status::OK();
}

void VfsEnv::Schedule(void (*work)(void*), void* arg) { queue_.emplace_back(work, arg); }

void VfsEnv::StartThread(void (*work)(void*), void* arg) { queue_.emplace_back(work, arg); }

leveldb::Status VfsEnv::GetTestDirectory(std::string*) {
  return leveldb::Status::NotSupported("GetTestDirectory", "a crash state has no test directory");
}

leveldb::Status VfsEnv::NewLogger(const std::string& name, leveldb::Logger** result) {
  *result = nullptr;
  return leveldb::Status::NotSupported(name, "info logs are not files here: pass Options::info_log");
}

}  // namespace crashsim::peers
