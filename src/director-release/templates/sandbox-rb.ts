/**
 * Ruby source run once in the embedded Ruby after the evaluator (ruby-vm.ts): the ways out a
 * job template may try, each turned into an error that says what was refused.
 *
 * This is not the boundary: Ruby code can undo Ruby code. The boundary is the wasm module's
 * imports (ruby-sandbox.ts): no JS bridge, no directory, no environment, and WASI has no call
 * that starts a process or opens a socket. Without these refusals a template would still get
 * nowhere, but with misleading answers (`system` returns true without running anything, `exec`
 * says ENOENT, `require "js"` loads a bridge whose first call ends the VM).
 */
export const SANDBOX_RUBY = String.raw`
module BootstrapSandbox
  PROCESSES = "job templates cannot start processes"
  JS_BRIDGE = "the JS bridge is not available to job templates"
  # "\x60" is the backtick (and %x()) method, spelled so in this JS template literal.
  PROCESS_STARTERS = [:system, :spawn, :exec, :fork, "\x60".to_sym, :syscall].freeze

  # The js gem: "js", "js.so", "js/...", or any path into its gem or extension directory.
  def self.js_bridge?(feature)
    name = feature.respond_to?(:to_path) ? feature.to_path : feature
    name.is_a?(String) && name.match?(%r{\A(?:js(?:\.so|\.rb)?|js/.*)\z|/(?:gems|extensions)/js-}m)
  end

  def self.refuse_js_bridge(feature)
    raise LoadError, "cannot load such file -- " + feature.to_s + ": " + JS_BRIDGE if js_bridge?(feature)
  end

  # IO.read("|cmd") and Kernel#open("|cmd") run cmd.
  def self.refuse_pipe(path)
    raise SecurityError, PROCESSES + " (a path starting with '|' runs a command)" if path.is_a?(String) && path.start_with?("|")
  end

  $LOAD_PATH.reject! { |dir| js_bridge?(dir) }

  # Kernel's own methods are replaced, not shadowed, so no super_method leads back to them;
  # the originals live only in these locals.
  kernel_require = Kernel.instance_method(:require)
  kernel_load = Kernel.instance_method(:load)
  kernel_open = Kernel.instance_method(:open)
  [Kernel, Kernel.singleton_class].each do |owner|
    owner.send(:define_method, :require) do |feature|
      BootstrapSandbox.refuse_js_bridge(feature)
      kernel_require.bind_call(self, feature)
    end
    owner.send(:define_method, :load) do |file, *rest|
      BootstrapSandbox.refuse_js_bridge(file)
      kernel_load.bind_call(self, file, *rest)
    end
    owner.send(:define_method, :open) do |*args, **options, &block|
      BootstrapSandbox.refuse_pipe(args.first)
      kernel_open.bind_call(self, *args, **options, &block)
    end
    PROCESS_STARTERS.each do |name|
      owner.send(:define_method, name) { |*, **| raise SecurityError, PROCESSES }
    end
  end
  Kernel.send(:private, :require, :load, :open, *PROCESS_STARTERS)

  %i[spawn exec fork daemon].each do |name|
    Process.singleton_class.send(:define_method, name) { |*, **| raise SecurityError, PROCESSES }
  end
  IO.singleton_class.send(:define_method, :popen) { |*, **| raise SecurityError, PROCESSES }
  IO.singleton_class.prepend(Module.new do
    %i[read binread readlines foreach write binwrite].each do |name|
      define_method(name) do |*args, **options, &block|
        BootstrapSandbox.refuse_pipe(args.first)
        super(*args, **options, &block)
      end
    end
  end)

  # exit! would end the whole CLI process (WASI proc_exit), not just Ruby: make it an error.
  # (exit and abort raise SystemExit, which the evaluator reports as the template's failure.)
  [Kernel, Kernel.singleton_class, Process.singleton_class].each do |owner|
    owner.send(:define_method, :exit!) { |*| raise SecurityError, "exit! is not allowed in a job template" }
  end
end
nil
`;
