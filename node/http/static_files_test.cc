// StaticFiles: what the web app's file server (http.ui_dir, /ui/) serves and what it refuses.
// The server-level behaviour (redirects, headers on a real node) is checked by tests/web.

#include "node/http/static_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace consentd::node::http {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "consentd-static-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    base_ = tmpl;
    root_ = base_ / "ui";
    fs::create_directories(root_ / "js");
    Write(root_ / "index.html", "<!doctype html>home");
    Write(root_ / "js" / "app.js", "export {};");
    Write(root_ / "js" / "index.html", "js index");
    Write(root_ / ".hidden.json", "{}");
    Write(root_ / "notes.md", "# not served");
    Write(base_ / "secret.json", "{\"secret\":1}");
    fs::create_symlink(base_ / "secret.json", root_ / "link.json");
    fs::create_directories(root_ / "dir.js");
  }
  void TearDown() override { fs::remove_all(base_); }
  static void Write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
  }
  fs::path base_, root_;
};

TEST_F(StaticFilesTest, ServesFilesWithTheirContentType) {
  auto ui = StaticFiles::Open(root_.string());
  ASSERT_TRUE(ui.ok()) << ui.status().ToString();
  auto home = ui->Read("");
  ASSERT_TRUE(home.ok());
  EXPECT_EQ(home->body, "<!doctype html>home");
  EXPECT_EQ(home->content_type, "text/html; charset=utf-8");
  auto js = ui->Read("js/app.js");
  ASSERT_TRUE(js.ok());
  EXPECT_EQ(js->body, "export {};");
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  auto dir = ui->Read("js/");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->body, "js index");
}

TEST_F(StaticFilesTest, RefusesTraversalHiddenAndUnknownFiles) {
  auto ui = StaticFiles::Open(root_.string());
  ASSERT_TRUE(ui.ok());
  for (const char* bad : {"../secret.json", "js/../../secret.json", "./index.html", "js//app.js",
                          ".hidden.json", "js\\app.js", "%2e%2e/secret.json", "/etc/passwd"}) {
    auto r = ui->Read(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), "bad_request") << bad;
  }
  for (const char* missing : {"notes.md", "nothing.html", "link.json", "dir.js", "js"}) {
    auto r = ui->Read(missing);
    ASSERT_FALSE(r.ok()) << missing;
    EXPECT_EQ(r.status().code(), "not_found") << missing;
  }
  EXPECT_EQ(ui->Read(std::string(600, 'a') + ".html").status().code(), "bad_request");
}

TEST_F(StaticFilesTest, OpenNeedsADirectory) {
  EXPECT_EQ(StaticFiles::Open((base_ / "missing").string()).status().code(), "ui_dir_invalid");
  EXPECT_EQ(StaticFiles::Open((base_ / "secret.json").string()).status().code(), "ui_dir_invalid");
}

TEST(StaticFilesContentTypeTest, OnlyKnownExtensions) {
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.json"), "application/json");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.png"), "image/png");
  EXPECT_EQ(StaticFiles::ContentTypeFor(".js"), "");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.exe"), "");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.html.bak"), "");
}

}  // namespace
}  // namespace consentd::node::http
