// rand()/srand() with one generator per thread; see liblinear_random.h for why.
//
// Nothing else in the process relies on rand() being shared across threads: XGBoost and fastText
// use their own C++ generators, prodcat uses <random>, and the one other library that calls
// rand() (avro-c: avro_file_writer_create_with_codec_fp, for the file's sync marker) calls srand()
// then rand() within that one call on one thread, which a per-thread generator serves the same
// way.
#include "prodcat/models/liblinear_random.h"

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>

namespace {

// glibc's rand() is random() over a 128-byte TYPE_3 state; initstate_r with the same size and
// seed reproduces its sequence exactly.
constexpr unsigned kDefaultSeed = 1;  // C: rand() without srand() behaves as after srand(1)

struct ThreadRandom {
  random_data data{};    // random_r's cursor; points into `state` once seeded
  char state[128] = {};  // TYPE_3 state (31 words + type), owned by this thread
  bool seeded = false;   // false until the first srand() or rand() on this thread
  void Seed(unsigned seed) {
    data = random_data{};
    initstate_r(seed, state, sizeof(state), &data);
    seeded = true;
  }
};

thread_local ThreadRandom t_random;

}  // namespace

// These two definitions replace the C library's for the whole process (see the header).
extern "C" int rand() noexcept {
  if (!t_random.seeded) t_random.Seed(kDefaultSeed);
  int32_t value = 0;
  random_r(&t_random.data, &value);
  return value;
}

extern "C" void srand(unsigned seed) noexcept {
  t_random.Seed(seed);
}

namespace prodcat {

bool ThreadLocalRandIsActive() {
  // The global lookup scope is the one liblinear's call to rand() is bound through.
  static const bool active = ::dlsym(RTLD_DEFAULT, "rand") == reinterpret_cast<void*>(&::rand);
  return active;
}

void SeedRand(unsigned seed) {
  if (ThreadLocalRandIsActive()) {
    t_random.Seed(seed);
    return;
  }
  // Not interposed: seed the srand() that pairs with the rand() liblinear is bound to.
  using SrandFn = void (*)(unsigned);
  static const auto global_srand = reinterpret_cast<SrandFn>(::dlsym(RTLD_DEFAULT, "srand"));
  global_srand(seed);
}

}  // namespace prodcat
