# Runs a formula's install and test blocks without Homebrew: the DSL the
# generated formula uses, with the same effects (files in a prefix), so the
# test checks the blocks' commands and paths, not only their syntax.
# Usage: ruby brew_stub.rb FORMULA SRCDIR PREFIX TESTPATH VERSION
require "fileutils"
require "pathname"

class Formula
  class << self
    %i[desc homepage url sha256 license depends_on].each { |m| define_method(m) { |*| } }
    def test(&block) = (@test_block = block)
    attr_reader :test_block
  end

  Installer = Struct.new(:dir) do
    def install(map)
      map.each do |src, dst|
        FileUtils.mkdir_p(dir)
        FileUtils.cp(src, dir/dst)
      end
    end
  end

  attr_reader :name, :testpath, :version

  def initialize(name, prefix, testpath, version)
    @name, @prefix, @testpath, @version = name, Pathname(prefix), Pathname(testpath), version
  end

  # A directory that is both a Pathname (man1/"x.1") and an install target.
  class InstallDir < Pathname
    def install(*srcs)
      FileUtils.mkdir_p(self)
      srcs.each do |src|
        if src.is_a?(Hash)
          src.each { |from, to| FileUtils.cp(from, self/to) }
        else
          FileUtils.cp(src, self/File.basename(src.to_s))
        end
      end
    end

    def /(other) = (FileUtils.mkdir_p(self) && Pathname(to_s)/other)
  end

  def bin = @prefix/"bin"
  def man1 = InstallDir.new(@prefix/"share/man/man1")
  def bash_completion = Installer.new(@prefix/"etc/bash_completion.d")
  def zsh_completion = Installer.new(@prefix/"share/zsh/site-functions")
  def fish_completion = Installer.new(@prefix/"share/fish/vendor_completions.d")
  # Homebrew's: runs EXECUTABLE ARGS... SHELL for bash, zsh and fish and
  # installs each script under the shell's completion directory.
  def generate_completions_from_executable(executable, *args)
    { "bash" => [@prefix/"etc/bash_completion.d", File.basename(executable.to_s)],
      "zsh" => [@prefix/"share/zsh/site-functions", "_#{File.basename(executable.to_s)}"],
      "fish" => [@prefix/"share/fish/vendor_completions.d", "#{File.basename(executable.to_s)}.fish"] }.each do |shell, (dir, name)|
      out = IO.popen([executable.to_s, *args.map(&:to_s), shell], &:read)
      raise "failed: #{executable} #{args.join(" ")} #{shell}" unless $?.success?
      FileUtils.mkdir_p(dir)
      File.write(dir/name, out)
    end
  end
  # Homebrew's: the binary is bin/<formula name> unless output: says otherwise.
  def std_go_args(ldflags: nil, output: bin/name) = ["-trimpath", "-o=#{output}", "-ldflags=#{ldflags}"]

  def system(*args)
    Kernel.system(*args.map(&:to_s)) || raise("failed: #{args.join(" ")}")
  end

  def shell_output(cmd)
    out = `#{cmd}`
    raise "failed: #{cmd}" unless $?.success?
    out
  end

  def assert_match(want, got) = (got.include?(want.to_s) || raise("#{want.inspect} not in #{got.inspect}"))
  def assert_path_exists(p) = (File.exist?(p) || raise("#{p} does not exist"))
end

# Homebrew's Utils.safe_popen_read: the command's stdout, or an error.
module Utils
  def self.safe_popen_read(*args)
    out = IO.popen(args.map(&:to_s), &:read)
    raise "failed: #{args.join(" ")}" unless $?.success?
    out
  end
end

formula, src, prefix, testpath, version = ARGV
load formula
klass = Object.const_get(File.read(formula)[/class (\w+) < Formula/, 1])
f = klass.new(File.basename(formula, ".rb"), prefix, testpath, version)
Dir.chdir(src) { f.install }
Dir.chdir(testpath) { f.instance_eval(&klass.test_block) }
puts "formula install and test: OK"
