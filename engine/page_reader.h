// PageReader: what the tree's read paths need from a source of page images.
//
// The pager is one (the newest images, a running transaction's own copies
// included); a snapshot reader (SnapshotReader in engine/pager.h) is another,
// serving the images one commit saw. The functions that read nodes, values
// and overflow chains take a PageReader, so a cursor or a snapshot get reads
// its own commit's tree with the same code as everything else.
#pragma once

#include <cstdint>
#include <string>

#include "engine/page.h"
#include "vfs/status.h"

namespace engine {

class PageReader {
 public:
  virtual ~PageReader() = default;
  virtual uint32_t page_size() const = 0;
  // The data file's path, for messages.
  virtual const std::string& path() const = 0;
  // The image of page `pgno`. kInvalidArgument for a page past the end of
  // the database this reader sees, kCorruption for a damaged page.
  virtual vfs::Result<PageRef> get(PageNo pgno) = 0;
};

}  // namespace engine
