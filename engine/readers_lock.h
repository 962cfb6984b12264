// ReadersLock: the readers' lock of docs/concurrency.md, a reader-writer
// lock that prefers writers.
//
// Readers whose pages are cached and digested hold it shared and run side by
// side (BTree::get_shared); everything that changes what a reader sees, or
// the cache and digests a reader walks, holds it exclusively. It meets the
// standard's SharedMutex requirements, so std::unique_lock and
// std::shared_lock take it.
//
// Why not std::shared_mutex: glibc's default rwlock (which it wraps) lets a
// new reader in while a writer waits, so readers in a loop keep a writer out
// for as long as they overlap. Here a waiting writer stops new readers, so a
// commit waits only for the reads already running (each a few hundred
// nanoseconds). It is not recursive: a thread that holds it shared must not
// take it again.
#pragma once

#include <pthread.h>

namespace engine {

class ReadersLock {
 public:
  ReadersLock();
  ~ReadersLock();
  ReadersLock(const ReadersLock&) = delete;
  ReadersLock& operator=(const ReadersLock&) = delete;

  void lock();
  bool try_lock();
  void unlock();

  void lock_shared();
  bool try_lock_shared();
  void unlock_shared();

 private:
  pthread_rwlock_t rw_;
};

}  // namespace engine
