// Streaming every record of a RecordReader to a callback, optionally with the reading (parsing)
// on a background thread so that parsing and checking overlap on two cores (internal to
// validation). Records travel in a few reused batches, so memory stays bounded whatever the
// number of rows.
#pragma once

#include <cstdint>
#include <functional>

#include "prodcat/common/status.h"
#include "prodcat/data/record_reader.h"

namespace prodcat {

// Calls `consume` for every remaining record of `reader`, in order, on the calling thread, and
// counts them in *rows. With `background_reader`, reader->Next runs on one extra thread; the
// reader must not be used by anyone else meanwhile. Returns the reader's first error (records
// before it have been consumed).
Status ForEachRecord(RecordReader* reader, bool background_reader,
                     const std::function<void(const ProductRecord&)>& consume, uint64_t* rows);

}  // namespace prodcat
