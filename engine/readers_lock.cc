#include "engine/readers_lock.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace engine {
namespace {

// A failing rwlock call means a broken invariant (unlocking what is not
// held, a lock destroyed while held), not a runtime condition a caller could
// handle: it stops the process rather than let two threads into the state
// the lock guards.
[[noreturn]] void fail(int rc, const char* call) {
  std::fprintf(stderr, "engine::ReadersLock: %s failed: %s\n", call, std::strerror(rc));
  std::abort();
}

}  // namespace

ReadersLock::ReadersLock() {
  pthread_rwlockattr_t attr;
  if (const int rc = pthread_rwlockattr_init(&attr); rc != 0) fail(rc, "pthread_rwlockattr_init");
  if (const int rc = pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP); rc != 0)
    fail(rc, "pthread_rwlockattr_setkind_np");
  if (const int rc = pthread_rwlock_init(&rw_, &attr); rc != 0) fail(rc, "pthread_rwlock_init");
  pthread_rwlockattr_destroy(&attr);
}

ReadersLock::~ReadersLock() { pthread_rwlock_destroy(&rw_); }

void ReadersLock::lock() {
  if (const int rc = pthread_rwlock_wrlock(&rw_); rc != 0) fail(rc, "pthread_rwlock_wrlock");
}

bool ReadersLock::try_lock() {
  const int rc = pthread_rwlock_trywrlock(&rw_);
  if (rc != 0 && rc != EBUSY) fail(rc, "pthread_rwlock_trywrlock");
  return rc == 0;
}

void ReadersLock::unlock() {
  if (const int rc = pthread_rwlock_unlock(&rw_); rc != 0) fail(rc, "pthread_rwlock_unlock");
}

void ReadersLock::lock_shared() {
  if (const int rc = pthread_rwlock_rdlock(&rw_); rc != 0) fail(rc, "pthread_rwlock_rdlock");
}

bool ReadersLock::try_lock_shared() {
  const int rc = pthread_rwlock_tryrdlock(&rw_);
  if (rc != 0 && rc != EBUSY) fail(rc, "pthread_rwlock_tryrdlock");
  return rc == 0;
}

void ReadersLock::unlock_shared() {
  if (const int rc = pthread_rwlock_unlock(&rw_); rc != 0) fail(rc, "pthread_rwlock_unlock");
}

}  // namespace engine
