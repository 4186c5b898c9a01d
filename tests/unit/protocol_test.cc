// Every message between the driver and its Python side round-trips through
// its struct, and a message with a field missing, of the wrong type or
// unknown is refused with an error naming the message and the field.
#include "protocol.h"

#include <gtest/gtest.h>

#include <string>

#include "load_answer.h"

namespace triton_aot {
namespace {

using nlohmann::json;

json AnswerJson() { return testing::LoadAnswer(json::array({{{"kernel", "add_kernel"}}})); }

std::string LoadAnswerError(const json& message) {
  LoadAnswer answer;
  std::string err;
  EXPECT_FALSE(ParseLoadAnswer(message, &answer, &err));
  return err;
}

TEST(ProtocolTest, LoadAnswerRoundTrips) {
  LoadAnswer answer;
  std::string err;
  ASSERT_TRUE(ParseLoadAnswer(AnswerJson(), &answer, &err)) << err;
  EXPECT_EQ(answer.ToJson(), AnswerJson());
  EXPECT_TRUE(answer.has_spec);
  EXPECT_EQ(answer.triton_key, "3.6.0-key");
  ASSERT_EQ(answer.kernels.count("tuned_kernel"), 1u);
  const KernelDescription& tuned = answer.kernels["tuned_kernel"];
  ASSERT_TRUE(tuned.autotune.has_value());
  ASSERT_EQ(tuned.autotune->configs.size(), 2u);
  EXPECT_FALSE(tuned.autotune->configs[0].maxnreg.has_value());
  EXPECT_EQ(tuned.autotune->configs[1].maxnreg, 128);
  EXPECT_EQ(answer.kernels["heur_kernel"].heuristics, std::vector<std::string>{"EVEN"});
  EXPECT_EQ(answer.kernels["scale_kernel"].params[3].default_value, 128);
  EXPECT_EQ(answer.blackwell_ptxas_from, 100);
  json one_ptxas = AnswerJson();  // Triton 3.5 bundles one ptxas
  one_ptxas["blackwell_ptxas_from"] = nullptr;
  ASSERT_TRUE(ParseLoadAnswer(one_ptxas, &answer, &err)) << err;
  EXPECT_EQ(answer.blackwell_ptxas_from, 0);
  EXPECT_EQ(answer.ToJson(), one_ptxas);
  json asked = AnswerJson();  // the module asked Triton's driver for the target
  asked["target_asked"] = true;
  ASSERT_TRUE(ParseLoadAnswer(asked, &answer, &err)) << err;
  EXPECT_TRUE(answer.target_asked);
  EXPECT_EQ(answer.ToJson(), asked);
}

TEST(ProtocolTest, LoadAnswerFieldsMissingOrOfTheWrongTypeAreNamed) {
  json missing = AnswerJson();
  missing.erase("triton_key");
  EXPECT_EQ(LoadAnswerError(missing), "load answer: 'triton_key' is missing");
  json wrong = AnswerJson();
  wrong["imports"] = json::array({1});
  EXPECT_EQ(LoadAnswerError(wrong), "load answer: 'imports[0]' must be an object");
  json nested = AnswerJson();
  nested["kernels"]["add_kernel"]["params"][1]["constexpr"] = "no";
  EXPECT_EQ(LoadAnswerError(nested), "load answer: 'kernels.add_kernel.params[1].constexpr' must be true or false");
  json lines = AnswerJson();
  lines["spec_lines"]["entries"][0]["variants"] = "none";
  EXPECT_EQ(LoadAnswerError(lines), "load answer: 'spec_lines.entries[0].variants' must be a list of integers");
  EXPECT_EQ(LoadAnswerError(json::array()), "load answer is not a JSON object");
}

TEST(ProtocolTest, UnknownFieldsAreRefused) {
  json top = AnswerJson();
  top["cached"] = true;
  EXPECT_EQ(LoadAnswerError(top), "load answer: 'cached' is not a field of this message");
  json config = AnswerJson();
  config["kernels"]["tuned_kernel"]["autotune"]["configs"][0]["speed"] = nullptr;
  EXPECT_EQ(LoadAnswerError(config),
            "load answer: 'kernels.tuned_kernel.autotune.configs[0].speed' is not a field of this message");
}

TEST(ProtocolTest, AutotuneBuffersHooksAndPruningRoundTripAndMustBeSaid) {
  json message = AnswerJson();
  json& autotune = message["kernels"]["tuned_kernel"]["autotune"];
  autotune["reset_to_zero"] = json::array({"x_ptr"});
  autotune["restore_value"] = json::array({"y_ptr", "x_ptr"});
  autotune["pre_hook"] = true;
  autotune["post_hook"] = true;
  autotune["early_config_prune"] = true;
  autotune["perf_model"] = true;
  autotune["configs"][1]["pre_hook"] = true;
  LoadAnswer answer;
  std::string err;
  ASSERT_TRUE(ParseLoadAnswer(message, &answer, &err)) << err;
  const Autotune& parsed = *answer.kernels["tuned_kernel"].autotune;
  EXPECT_EQ(parsed.reset_to_zero, std::vector<std::string>{"x_ptr"});
  EXPECT_EQ(parsed.restore_value, (std::vector<std::string>{"y_ptr", "x_ptr"}));
  EXPECT_TRUE(parsed.pre_hook && parsed.post_hook && parsed.early_config_prune && parsed.perf_model);
  EXPECT_FALSE(parsed.configs[0].pre_hook);
  EXPECT_TRUE(parsed.configs[1].pre_hook);
  EXPECT_EQ(answer.ToJson(), message);
  // A frontend that does not say them is of another protocol: refused, not
  // read as "none".
  for (const char* field : {"reset_to_zero", "restore_value", "pre_hook", "post_hook", "early_config_prune",
                            "perf_model"}) {
    json without = AnswerJson();
    without["kernels"]["tuned_kernel"]["autotune"].erase(field);
    EXPECT_EQ(LoadAnswerError(without), std::string("load answer: 'kernels.tuned_kernel.autotune.") + field +
                                            "' is missing");
  }
  json config_without = AnswerJson();
  config_without["kernels"]["tuned_kernel"]["autotune"]["configs"][0].erase("pre_hook");
  EXPECT_EQ(LoadAnswerError(config_without),
            "load answer: 'kernels.tuned_kernel.autotune.configs[0].pre_hook' is missing");
  json names = AnswerJson();
  names["kernels"]["tuned_kernel"]["autotune"]["reset_to_zero"] = json::array({1});
  EXPECT_EQ(LoadAnswerError(names), "load answer: 'kernels.tuned_kernel.autotune.reset_to_zero' must be a list of "
                                    "strings");
}

TEST(ProtocolTest, AnAnswerIsOkOrTheFrontendsError) {
  FrontendError error;
  std::string err;
  EXPECT_EQ(ReadAnswerKind({{"ok", true}}, "load answer", &error, &err), AnswerKind::kOk);
  FrontendError sent{"disk", "cannot write 'x.cubin': No space left on device", "", 0, 0, 28};
  EXPECT_EQ(ReadAnswerKind({{"ok", false}, {"error", FrontendErrorToJson(sent)}}, "compile answer", &error, &err),
            AnswerKind::kFailed);
  EXPECT_EQ(error.kind, "disk");
  EXPECT_EQ(error.message, sent.message);
  EXPECT_EQ(error.error_number, 28);
  EXPECT_EQ(FrontendErrorToJson(error), FrontendErrorToJson(sent));
  json no_message = FrontendErrorToJson(sent);
  no_message.erase("message");
  EXPECT_EQ(ReadAnswerKind({{"ok", false}, {"error", no_message}}, "compile answer", &error, &err),
            AnswerKind::kMalformed);
  EXPECT_EQ(err, "compile answer: 'error.message' is missing");
  EXPECT_EQ(ReadAnswerKind({{"ok", "yes"}}, "load answer", &error, &err), AnswerKind::kMalformed);
  EXPECT_EQ(err, "load answer: 'ok' must be true or false");
}

TEST(ProtocolTest, LoadRequestRoundTrips) {
  LoadRequest request;
  std::string err;
  ASSERT_TRUE(ParseLoadRequest(json::parse(LoadRequestLine({"/src/k.py", "/src", 90})), &request, &err)) << err;
  EXPECT_EQ(request.module, "/src/k.py");
  EXPECT_EQ(request.source_root, "/src");
  EXPECT_EQ(request.target_arch, 90);
  EXPECT_FALSE(ParseLoadRequest({{"op", "load"}, {"module", "/src/k.py"}}, &request, &err));
  EXPECT_EQ(err, "load request: 'source_root' is missing");
}

CompileJob SampleJob() {
  CompileJob job;
  job.id = 3;
  job.function = "add_kernel";
  job.signature = {{"x_ptr", "*fp32"}, {"BLOCK", "constexpr"}};
  job.constexprs = {{"BLOCK", 128}};
  job.divisible_by_16 = {0};
  job.options = {{"num_warps", 4}};
  job.arch = 90;
  job.ptxas = "/usr/local/cuda/bin/ptxas";
  job.out_prefix = "/build/scratch/add.default.sm_90";
  return job;
}

TEST(ProtocolTest, CompileRequestRoundTrips) {
  std::vector<CompileJob> jobs;
  std::string err;
  ASSERT_TRUE(ParseCompileRequest(json::parse(CompileRequestLine({SampleJob()})), &jobs, &err)) << err;
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(CompileRequestLine(jobs), CompileRequestLine({SampleJob()}));
  json request = json::parse(CompileRequestLine({SampleJob()}));
  request["jobs"][0]["arch"] = "sm_90";
  EXPECT_FALSE(ParseCompileRequest(request, &jobs, &err));
  EXPECT_EQ(err, "compile request: 'jobs[0].arch' must be an integer");
}

TEST(ProtocolTest, AJobsConfigForThePrunerIsSentOnlyWhenThereIsOne) {
  EXPECT_FALSE(json::parse(CompileRequestLine({SampleJob()}))["jobs"][0].contains("prune_config"));
  CompileJob pruned = SampleJob();
  pruned.prune_config = 2;
  std::vector<CompileJob> jobs;
  std::string err;
  ASSERT_TRUE(ParseCompileRequest(json::parse(CompileRequestLine({pruned})), &jobs, &err)) << err;
  EXPECT_EQ(jobs.at(0).prune_config, 2);
}

TEST(ProtocolTest, APrunedOutcomeHasNoMetadataAndSaysWhy) {
  const CompileOutcome pruned{.id = 2, .ok = true, .start_us = 12, .elapsed_us = 1, .pruned = "left out of sm_80"};
  const json answer = {{"ok", true}, {"results", {CompileOutcomeToJson(pruned)}}};
  EXPECT_FALSE(answer["results"][0].contains("metadata"));
  std::vector<CompileOutcome> outcomes;
  std::string err;
  ASSERT_TRUE(ParseCompileAnswer(answer, &outcomes, &err)) << err;
  EXPECT_EQ(outcomes.at(0).pruned, "left out of sm_80");
  EXPECT_TRUE(outcomes.at(0).ok);
  EXPECT_EQ(CompileOutcomeToJson(outcomes.at(0)), CompileOutcomeToJson(pruned));
}

TEST(ProtocolTest, CompileOutcomesRoundTrip) {
  CompileOutcome compiled{.id = 0, .ok = true, .start_us = 10, .elapsed_us = 5, .metadata = {{"name", "add"}}};
  CompileOutcome failed{.id = 1, .ok = false, .start_us = 11, .elapsed_us = 6, .error = "unsupported op",
                        .error_file = "/src/k.py", .error_line = 7, .error_col = 9};
  const json answer = {{"ok", true},
                       {"results", {CompileOutcomeToJson(compiled), CompileOutcomeToJson(failed)}}};
  std::vector<CompileOutcome> outcomes;
  std::string err;
  ASSERT_TRUE(ParseCompileAnswer(answer, &outcomes, &err)) << err;
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(CompileOutcomeToJson(outcomes[0]), CompileOutcomeToJson(compiled));
  EXPECT_EQ(CompileOutcomeToJson(outcomes[1]), CompileOutcomeToJson(failed));
  json no_metadata = answer;
  no_metadata["results"][0].erase("metadata");
  EXPECT_FALSE(ParseCompileAnswer(no_metadata, &outcomes, &err));
  EXPECT_EQ(err, "compile answer: 'results[0].metadata' is missing");
  json bad_where = answer;
  bad_where["results"][1]["where"]["line"] = "7";
  EXPECT_FALSE(ParseCompileAnswer(bad_where, &outcomes, &err));
  EXPECT_EQ(err, "compile answer: 'results[1].where.line' must be an integer");
}

TEST(ProtocolTest, GreetingRoundTrips) {
  const ServiceGreeting sent{kProtocolVersion, "abc123", "/build", {{"PATH", "/usr/bin"}}, "/build/frontend.log"};
  ServiceGreeting greeting;
  std::string err;
  ASSERT_TRUE(ParseGreeting(json::parse(GreetingLine(sent)), &greeting, &err)) << err;
  EXPECT_EQ(GreetingLine(greeting), GreetingLine(sent));
  json no_env = json::parse(GreetingLine(sent));
  no_env.erase("env");
  EXPECT_FALSE(ParseGreeting(no_env, &greeting, &err));
  EXPECT_EQ(err, "service greeting: 'env' is missing");
}

// The working folder, the environment and the stderr path are bytes: the
// greeting carries those that are not UTF-8 too, as Python's \\udcNN
// (utf8_test.cc checks that Python reads back exactly the bytes).
TEST(ProtocolTest, GreetingCarriesBytesThatAreNotUtf8) {
  const ServiceGreeting sent{kProtocolVersion, "abc123", "/caf\xe9", {{"LANG\xff", "x\xe9y"}}, "/caf\xe9/log"};
  const std::string line = GreetingLine(sent);
  EXPECT_EQ(line, R"({"op":"hello","protocol":)" + std::to_string(kProtocolVersion) +
                      R"(,"identity":"abc123","cwd":"/caf\udce9","env":{"LANG\udcff":"x\udce9y"},"stderr":"/caf\udce9/log"})");
}

TEST(ProtocolTest, GreetingAnswersRoundTrip) {
  GreetingAnswer served{.served = true, .worker_pid = 42};
  GreetingAnswer stale{.served = false, .stale = "triton/__init__.py changed", .service_pid = 7};
  for (const GreetingAnswer& sent : {served, stale}) {
    GreetingAnswer answer;
    std::string err;
    ASSERT_TRUE(ParseGreetingAnswer(GreetingAnswerToJson(sent), &answer, &err)) << err;
    EXPECT_EQ(GreetingAnswerToJson(answer), GreetingAnswerToJson(sent));
  }
}

TEST(ProtocolTest, AServiceOfAnotherProtocolVersionIsRefused) {
  json answer = GreetingAnswerToJson({.served = true, .worker_pid = 42});
  answer["protocol"] = kProtocolVersion + 1;
  GreetingAnswer greeting;
  std::string err;
  EXPECT_FALSE(ParseGreetingAnswer(answer, &greeting, &err));
  EXPECT_EQ(err, "service greeting answer: the service speaks protocol version " +
                     std::to_string(kProtocolVersion + 1) + ", this driver " + std::to_string(kProtocolVersion));
  answer.erase("protocol");
  EXPECT_FALSE(ParseGreetingAnswer(answer, &greeting, &err));
  EXPECT_EQ(err, "service greeting answer: 'protocol' is missing");
}

TEST(ProtocolTest, WorkerEndedIsTellable) {
  WorkerEnded ended;
  EXPECT_TRUE(IsWorkerEnded(WorkerEndedToJson({"killed by signal 9 (SIGKILL)"}), &ended));
  EXPECT_EQ(ended.how, "killed by signal 9 (SIGKILL)");
  EXPECT_FALSE(IsWorkerEnded(AnswerJson(), &ended));
  EXPECT_FALSE(IsWorkerEnded({{"ok", false}, {"worker_ended", 9}}, &ended));
}

TEST(ProtocolTest, ServiceAnswersNameTheService) {
  ServiceAnswer answer;
  std::string err;
  EXPECT_EQ(json::parse(ServiceRequestLine("stop")), json({{"op", "stop"}}));
  ASSERT_TRUE(ParseServiceAnswer({{"ok", true}, {"service_pid", 7}}, "service status", &answer, &err)) << err;
  EXPECT_EQ(answer.service_pid, 7);
  EXPECT_FALSE(ParseServiceAnswer({{"ok", true}}, "service status", &answer, &err));
  EXPECT_EQ(err, "service status: 'service_pid' is missing");
}

}  // namespace
}  // namespace triton_aot
