#include "spec/deploy_template.h"

#include <gtest/gtest.h>

namespace gauntlet::spec {
namespace {

TEST(DeployTemplateTest, RewritesReferencesIntoVariables) {
  auto r = RenderDeployCommand(
      "./up.sh ${{ slot }} ${{release.version}} \"${{ instance }}\" ${{ instance.address }} "
      "${{ instance.port }} ${{ env.HOME }}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r,
            "./up.sh ${GAUNTLET_SLOT} ${GAUNTLET_RELEASE_VERSION} \"${GAUNTLET_INSTANCE}\" "
            "${GAUNTLET_ADDRESS} ${GAUNTLET_PORT} ${HOME}");
}

TEST(DeployTemplateTest, PlainCommandsAreUnchanged) {
  EXPECT_EQ(*RenderDeployCommand("echo $HOME; ls"), "echo $HOME; ls");
}

TEST(DeployTemplateTest, UnknownReferencesAreErrors) {
  auto r = RenderDeployCommand("x ${{ matrix.os }}");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("matrix.os"), std::string::npos);
  EXPECT_FALSE(RenderDeployCommand("x ${{ env.A;rm }}").ok());
  EXPECT_FALSE(RenderDeployCommand("x ${{ slot").ok());
}

}  // namespace
}  // namespace gauntlet::spec
