#include "engine/free_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Pages held in a map, read the way the pager would hand them out.
class Pages {
 public:
  void free_page(PageNo pgno, PageNo next) {
    auto page = std::make_shared<Page>(pgno, 512);
    format_free_page(*page, next);
    pages_[pgno] = page;
  }
  void leaf(PageNo pgno) {
    auto page = std::make_shared<Page>(pgno, 512);
    page->set_type(PageType::kLeaf);
    pages_[pgno] = page;
  }
  PageFetch reader() {
    return [this](PageNo pgno) -> Result<PageRef> { return PageRef(pages_.at(pgno)); };
  }

 private:
  std::map<PageNo, std::shared_ptr<Page>> pages_;
};

Meta list_meta(PageNo head, uint32_t page_count = 10) {
  Meta meta;
  meta.page_count = page_count;
  meta.freelist_head = head;
  return meta;
}

TEST(FreePage, HoldsItsTypeAndNextLinkOnly) {
  Page page(4, 512);
  std::fill(page.bytes.begin(), page.bytes.end(), uint8_t{0xEE});
  format_free_page(page, 9);
  EXPECT_EQ(page.type(), PageType::kFree);
  EXPECT_EQ(free_page_next(page), 9u);
  EXPECT_TRUE(std::all_of(page.bytes.begin() + kFreeNextOffset + 4, page.bytes.end(),
                          [](uint8_t b) { return b == 0; }));
}

TEST(FreeListWalk, ReturnsThePagesInListOrder) {
  Pages pages;
  pages.free_page(5, 2);
  pages.free_page(2, 7);
  pages.free_page(7, kNoPage);
  auto list = walk_free_list(list_meta(5), pages.reader(), "db");
  ASSERT_TRUE(list.ok()) << list.status().to_string();
  EXPECT_THAT(*list, ElementsAre(5, 2, 7));
}

TEST(FreeListWalk, AnEmptyListIsEmpty) {
  Pages pages;
  auto list = walk_free_list(list_meta(kNoPage), pages.reader(), "db");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST(FreeListWalk, ReportsALoop) {
  Pages pages;
  pages.free_page(5, 2);
  pages.free_page(2, 5);
  auto list = walk_free_list(list_meta(5), pages.reader(), "db");
  ASSERT_TRUE(list.status().is_corruption());
  EXPECT_THAT(list.status().message(), HasSubstr("loops"));
}

TEST(FreeListWalk, ReportsAPageThatIsNotFree) {
  Pages pages;
  pages.free_page(5, 3);
  pages.leaf(3);
  auto list = walk_free_list(list_meta(5), pages.reader(), "db");
  ASSERT_TRUE(list.status().is_corruption());
  EXPECT_THAT(list.status().message(), HasSubstr("page 3 (linked from free page 5) has page type 2"));
}

TEST(FreeListWalk, ReportsALinkPastThePageCount) {
  Pages pages;
  pages.free_page(5, 30);
  auto list = walk_free_list(list_meta(5), pages.reader(), "db");
  ASSERT_TRUE(list.status().is_corruption());
  EXPECT_THAT(list.status().message(), HasSubstr("links to page 30, past page_count 10"));
}

}  // namespace
}  // namespace engine
