#include "prodcat/validation/record_stream.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace prodcat {
namespace {

constexpr size_t kBatchSize = 1024;  // records per hand-over: amortizes the locking
constexpr size_t kBatchCount = 4;    // batches in flight: bounds memory

struct Batch {
  std::vector<ProductRecord> records = std::vector<ProductRecord>(kBatchSize);  // reused
  size_t size = 0;                                                              // records filled
};

// A blocking FIFO of batch pointers; nullptr marks the end of the stream.
class BatchQueue {
 public:
  void Push(Batch* batch) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(batch);
    }
    ready_.notify_one();
  }
  Batch* Pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [this] { return !queue_.empty(); });
    Batch* batch = queue_.front();
    queue_.pop_front();
    return batch;
  }

 private:
  std::mutex mutex_;               // guards queue_
  std::condition_variable ready_;  // signalled on Push
  std::deque<Batch*> queue_;       // in hand-over order
};

}  // namespace

Status ForEachRecord(RecordReader* reader, bool background_reader,
                     const std::function<void(const ProductRecord&)>& consume, uint64_t* rows) {
  *rows = 0;
  if (!background_reader) {
    ProductRecord record;
    for (;;) {
      bool has_record = false;
      PRODCAT_RETURN_IF_ERROR(reader->Next(&record, &has_record));
      if (!has_record) return Status::Ok();
      ++*rows;
      consume(record);
    }
  }
  std::vector<Batch> batches(kBatchCount);
  BatchQueue empty, full;
  for (Batch& b : batches) empty.Push(&b);
  Status read_status;  // written by the reader thread before its final Push
  std::thread producer([&] {
    for (;;) {
      Batch* batch = empty.Pop();
      batch->size = 0;
      bool done = false;
      while (batch->size < kBatchSize) {
        bool has_record = false;
        Status s = reader->Next(&batch->records[batch->size], &has_record);
        if (!s.ok()) read_status = s;
        if (!s.ok() || !has_record) {
          done = true;
          break;
        }
        ++batch->size;
      }
      full.Push(batch);
      if (done) {
        full.Push(nullptr);
        return;
      }
    }
  });
  // The consumer always drains to the end marker, even after `consume` threw, so the producer
  // never blocks forever and is joined before anything leaves this function.
  std::exception_ptr failure;
  for (Batch* batch = full.Pop(); batch; batch = full.Pop()) {
    if (!failure) {
      try {
        for (size_t i = 0; i < batch->size; ++i) consume(batch->records[i]);
      } catch (...) {
        failure = std::current_exception();
      }
    }
    *rows += batch->size;
    empty.Push(batch);
  }
  producer.join();
  if (failure) std::rethrow_exception(failure);
  return read_status;
}

}  // namespace prodcat
