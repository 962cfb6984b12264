#include "scenarios/filter.h"

#include <gtest/gtest.h>

namespace catalog {
namespace {

ScenarioSpec spec(std::string name, std::vector<std::string> tags, std::vector<crashsim::ModelKind> models) {
  ScenarioSpec s;
  s.name = std::move(name);
  s.tags = std::move(tags);
  for (crashsim::ModelKind kind : models) {
    crashsim::ModelConfig config;
    config.kind = kind;
    s.simulation.models.push_back(config);
  }
  return s;
}

std::vector<std::string> names(const std::vector<ScenarioSpec>& specs) {
  std::vector<std::string> out;
  for (const ScenarioSpec& s : specs) out.push_back(s.name);
  return out;
}

using crashsim::ModelKind;

const std::vector<ScenarioSpec> kAll = {
    spec("churn-power-loss", {"ci", "durability"}, {ModelKind::kReorder}),
    spec("mutant-no-wal-salt", {"ci", "mutant"}, {ModelKind::kProcessCrash}),
    spec("long-churn", {"extended"}, {ModelKind::kLoseUnsynced, ModelKind::kTorn}),
};

TEST(Filter, EmptySelectsEverything) { EXPECT_EQ(filter(kAll, {}).size(), 3u); }

TEST(Filter, NameGlobsMatchAny) {
  EXPECT_EQ(names(filter(kAll, {{"*churn*"}, {}, {}})), (std::vector<std::string>{"churn-power-loss", "long-churn"}));
  EXPECT_EQ(names(filter(kAll, {{"mutant-*", "long-?hurn"}, {}, {}})),
            (std::vector<std::string>{"mutant-no-wal-salt", "long-churn"}));
  EXPECT_TRUE(filter(kAll, {{"nothing"}, {}, {}}).empty());
}

TEST(Filter, TagsMatchAny) {
  EXPECT_EQ(names(filter(kAll, {{}, {"mutant", "extended"}, {}})),
            (std::vector<std::string>{"mutant-no-wal-salt", "long-churn"}));
}

TEST(Filter, ModelsNarrowEachScenario) {
  auto out = filter(kAll, {{}, {}, {ModelKind::kTorn, ModelKind::kReorder}});
  ASSERT_EQ(names(out), (std::vector<std::string>{"churn-power-loss", "long-churn"}));
  ASSERT_EQ(out[1].simulation.models.size(), 1u);
  EXPECT_EQ(out[1].simulation.models[0].kind, ModelKind::kTorn);
}

TEST(Filter, KindsCombineWithAnd) {
  EXPECT_EQ(names(filter(kAll, {{"*churn*"}, {"ci"}, {}})), (std::vector<std::string>{"churn-power-loss"}));
  EXPECT_TRUE(filter(kAll, {{"*churn*"}, {"ci"}, {ModelKind::kTorn}}).empty());
}

}  // namespace
}  // namespace catalog
