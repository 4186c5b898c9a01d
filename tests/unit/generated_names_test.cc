// Names the generated C++ declares: every one refused here broke the build of
// the generated source before (a namespace named int or std, a kernel named
// CUstream, two kernels declaring the same name).
#include "generated_names.h"

#include <gtest/gtest.h>

namespace triton_aot {
namespace {

TEST(NamespaceProblemTest, AcceptsNestedNamespaces) {
  for (const char* text : {"ns", "a::b", "a::b::c", "my_lib::kernels", "kernels::triton"}) {
    EXPECT_EQ(NamespaceProblem(text), "") << text;
  }
}

TEST(NamespaceProblemTest, RefusesWhatIsNoNamespaceName) {
  for (const char* text : {"", "::a", "a::", "a:::b", "a::::b", "a:b", "a::2b", "a.b"}) {
    EXPECT_NE(NamespaceProblem(text).find("is not a C++ identifier"), std::string::npos) << text;
  }
}

TEST(NamespaceProblemTest, RefusesKeywordsAndTheNamespacesGeneratedCodeUses) {
  EXPECT_EQ(NamespaceProblem("class"), "'class' is a C++ keyword");
  EXPECT_EQ(NamespaceProblem("k::int"), "'int' is a C++ keyword");
  EXPECT_EQ(NamespaceProblem("k::std"), "a namespace named 'std' would hide the one the generated code uses (std::...)");
  EXPECT_NE(NamespaceProblem("triton_aot"), "");
  EXPECT_NE(NamespaceNameProblem("CUstream"), "");
}

TEST(KernelNameProblemTest, AcceptsDistinctKernels) {
  EXPECT_EQ(KernelNameProblem("scale", {}), "");
  EXPECT_EQ(KernelNameProblem("shift", {"scale"}), "");
  EXPECT_EQ(KernelNameProblem("scale_kernel", {"scale"}), "")
      << "scale_kernel() and scale_kernel(stream, ...) are overloads";
  EXPECT_EQ(KernelNameProblem("std", {}), "") << "a function hides no namespace in a qualified name";
}

TEST(KernelNameProblemTest, RefusesAKernelWhoseDeclarationsCollideWithAnother) {
  EXPECT_EQ(KernelNameProblem("scale", {"scale"}), "two kernel entries are named 'scale'");
  EXPECT_EQ(KernelNameProblem("scale_variants", {"scale"}),
            "the kernel's C++ name 'scale_variants' makes the header declare 'scale_variants', which it declares for "
            "kernel 'scale' too");
  EXPECT_NE(KernelNameProblem("scale", {"scale_num_variants"}), "") << "in either order";
  EXPECT_NE(KernelNameProblem("a", {"b", "a_variants"}), "");
}

TEST(KernelNameProblemTest, RefusesKeywordsAndTheTypeGeneratedCodeUses) {
  EXPECT_EQ(KernelNameProblem("int", {}), "the kernel's C++ name 'int' is a C++ keyword");
  EXPECT_EQ(KernelNameProblem("CUstream", {}),
            "the kernel's C++ name 'CUstream' would hide the type the generated code uses");
}

}  // namespace
}  // namespace triton_aot
