#include "engine/readers_lock.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace engine {
namespace {

// A failing rwlock call means a broken invariant (unlocking what is not
// held, a lock destroyed while held), not a runtime condition a caller could
// handle: it stops the process rather than let two threads into the state
// the lock guards.
void check(int rc, const char* call) {
  if (rc == 0) return;
  std::cerr << "engine::ReadersLock: " << call << " failed: " << std::strerror(rc) << '\n';
  std::abort();
}

}  // namespace

ReadersLock::ReadersLock() {
  pthread_rwlockattr_t attr;
  check(pthread_rwlockattr_init(&attr), "pthread_rwlockattr_init");
  check(pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP),
        "pthread_rwlockattr_setkind_np");
  check(pthread_rwlock_init(&rw_, &attr), "pthread_rwlock_init");
  pthread_rwlockattr_destroy(&attr);
}

ReadersLock::~ReadersLock() { pthread_rwlock_destroy(&rw_); }

void ReadersLock::lock() { check(pthread_rwlock_wrlock(&rw_), "pthread_rwlock_wrlock"); }

bool ReadersLock::try_lock() {
  const int rc = pthread_rwlock_trywrlock(&rw_);
  if (rc == EBUSY) return false;
  check(rc, "pthread_rwlock_trywrlock");
  return true;
}

void ReadersLock::unlock() { check(pthread_rwlock_unlock(&rw_), "pthread_rwlock_unlock"); }

void ReadersLock::lock_shared() { check(pthread_rwlock_rdlock(&rw_), "pthread_rwlock_rdlock"); }

bool ReadersLock::try_lock_shared() {
  const int rc = pthread_rwlock_tryrdlock(&rw_);
  if (rc == EBUSY) return false;
  check(rc, "pthread_rwlock_tryrdlock");
  return true;
}

void ReadersLock::unlock_shared() { check(pthread_rwlock_unlock(&rw_), "pthread_rwlock_unlock"); }

}  // namespace engine
