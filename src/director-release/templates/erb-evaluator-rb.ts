/**
 * Ruby source loaded once into the embedded CRuby (see ruby-vm.ts). It defines the ERB
 * evaluation context with bosh-cli's template helpers and one entry point, a lambda taking
 * two JSON strings (the context and the templates of one job) and returning a JSON string.
 *
 * Data never reaches Ruby as source code: values only travel inside those JSON strings, and
 * template text and output travel base64-encoded so bytes survive unchanged.
 *
 * Helper semantics follow bosh-cli's erb_renderer.rb (facts, not code): p/if_p/else/else_if_p,
 * `properties` and `spec` as structs, `name` = release job name, `index`, ERB trim mode "-",
 * JSON.dump of a String/Numeric = its #inspect. Links do not exist in a bootstrap manifest:
 * `link` raises, `if_link` behaves as bosh-cli does for an unresolved link (the block is skipped
 * and `.else` runs), so templates with optional links still render.
 */
export const ERB_EVALUATOR_RUBY = String.raw`
# RubyGems is off (ruby-vm.ts: it is most of the boot time); keep the pure-Ruby bundled gems
# (base64, csv, ...) requirable by putting their lib dirs after the standard library's. The
# gems dir sits beside the stdlib dir (<prefix>/lib/ruby/{3.4.0,gems/3.4.0}); found from the
# load path because loading rbconfig to ask would cost a tenth of a second.
BOOTSTRAP_RUBY_API = RUBY_VERSION[/\A\d+\.\d+/] + ".0"
BOOTSTRAP_STDLIB = $LOAD_PATH.find { |dir| dir.end_with?("/ruby/" + BOOTSTRAP_RUBY_API) }
if BOOTSTRAP_STDLIB
  Dir.glob(File.join(File.dirname(BOOTSTRAP_STDLIB), "gems", BOOTSTRAP_RUBY_API, "gems", "*", "lib")).sort.each do |dir|
    $LOAD_PATH << dir
  end
end

require "erb"
require "json"
require "stringio"

# YAML (psych) is loaded on first use: most templates never touch it and loading it costs as
# much as the rest of the setup. Psych's own Object#to_yaml replaces this stub when it loads.
autoload :YAML, "yaml"
autoload :Psych, "psych"
class Object
  def to_yaml(*args, **kwargs)
    require "yaml"
    to_yaml(*args, **kwargs)
  end
end

module BootstrapTemplates
  class UnknownProperty < StandardError
    attr_reader :names
    def initialize(names)
      @names = names
      super("Can't find property '" + names.join("', or '") + "'")
    end
  end

  class LinksUnsupported < StandardError
    def initialize(name)
      super("Can't find link '" + name.to_s + "': links are not supported by bootstrap; pass the values as job properties instead")
    end
  end

  def self.structify(value)
    case value
    when Hash then PropertyStruct.new(value)
    when Array then value.map { |item| structify(item) }
    else value
    end
  end

  # OpenStruct-like read access (bosh-cli's templates use properties.a.b and spec.x.y):
  # unknown members read as nil, as with OpenStruct.
  class PropertyStruct
    def initialize(hash)
      @table = {}
      hash.each { |key, value| @table[key.to_s] = BootstrapTemplates.structify(value) }
    end

    def [](key) = @table[key.to_s]
    def to_h = @table.dup

    def method_missing(method_name, *args)
      key = method_name.to_s
      if key.end_with?("=") && args.length == 1
        @table[key.chomp("=")] = BootstrapTemplates.structify(args.first)
      elsif args.empty?
        @table[key]
      else
        super
      end
    end

    def respond_to_missing?(method_name, include_private = false)
      @table.key?(method_name.to_s) || super
    end
  end

  class ActiveElseBlock
    def initialize(context)
      @context = context
    end

    def else
      yield
    end

    def else_if_p(*names, &block)
      @context.if_p(*names, &block)
    end

    def else_if_link(name, &block)
      @context.if_link(name, &block)
    end
  end

  class InactiveElseBlock
    def else; end
    def else_if_p(*_names) = InactiveElseBlock.new
    def else_if_link(_name) = InactiveElseBlock.new
  end

  class EvaluationContext
    attr_reader :name, :index, :properties, :raw_properties, :spec

    def initialize(context)
      @raw_properties = context["properties"]
      @properties = BootstrapTemplates.structify(@raw_properties)
      @spec = BootstrapTemplates.structify(context["spec"])
      @name = context["spec"]["job"]["name"]
      @index = context["spec"]["index"]
    end

    def get_binding
      binding
    end

    def p(*args)
      names = Array(args[0])
      names.each do |name|
        value = lookup_property(name)
        return value unless value.nil?
      end
      return args[1] if args.length == 2
      raise UnknownProperty.new(names)
    end

    def if_p(*names)
      values = names.map do |name|
        value = lookup_property(name)
        return ActiveElseBlock.new(self) if value.nil?
        value
      end
      yield(*values)
      InactiveElseBlock.new
    end

    def link(name)
      raise LinksUnsupported.new(name)
    end

    def if_link(_name)
      ActiveElseBlock.new(self)
    end

    private

    def lookup_property(name)
      name.to_s.split(".").reduce(@raw_properties) do |ref, key|
        return nil unless ref.is_a?(Hash)
        ref[key]
      end
    end
  end

  module JSONDumpOfScalars
    def dump(obj, *rest)
      return obj.inspect if obj.is_a?(String) || obj.is_a?(Numeric)
      super
    end
  end
  JSON.singleton_class.prepend(JSONDumpOfScalars)

  def self.render_one(context_json, template)
    filename = template["name"]
    text = template["text_base64"].unpack1("m0").force_encoding(Encoding::UTF_8)
    erb = ERB.new(text, trim_mode: "-")
    erb.filename = filename
    context = EvaluationContext.new(JSON.parse(context_json))
    { "output_base64" => [erb.result(context.get_binding)].pack("m0") }
  rescue Exception => e
    { "error" => describe_error(e, filename) }
  end

  def self.describe_error(error, filename)
    prefix = filename.to_s + ":"
    location = (error.backtrace || []).find { |line| line.start_with?(prefix) }
    line = location ? location.delete_prefix(prefix).to_i : nil
    line ||= error.message[/^#{Regexp.escape(prefix)}(\d+)/, 1]&.to_i
    {
      "class" => error.class.name.to_s.delete_prefix("BootstrapTemplates::"),
      "message" => error.message.to_s,
      "line" => line,
      "properties" => error.is_a?(UnknownProperty) ? error.names : [],
    }
  end

  # exit! would end the whole CLI process (WASI proc_exit), not just Ruby: make it an error.
  # (exit and abort raise SystemExit, which render_one already reports.)
  [Kernel, Kernel.singleton_class, Process.singleton_class].each do |owner|
    owner.send(:define_method, :exit!) { |*| raise SecurityError, "exit! is not allowed in a job template" }
  end

  RENDER_JOB = lambda do |context_json, templates_json|
    # Templates may print or warn; that must never reach the CLI's own output.
    $stdout = StringIO.new
    $stderr = StringIO.new
    context_json = context_json.to_s
    templates = JSON.parse(templates_json.to_s)
    JSON.generate(templates.map { |template| render_one(context_json, template) })
  end
end

BootstrapTemplates::RENDER_JOB
`;
