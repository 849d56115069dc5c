/**
 * Ruby source loaded once into the embedded CRuby (see ruby-vm.ts). It defines the ERB
 * evaluation context with bosh-cli's template helpers and one entry point, a lambda taking
 * two JSON strings (the context and the templates of one job) and returning a JSON string.
 *
 * Data never reaches Ruby as source code it could change: the two JSON strings arrive as
 * base64 string literals (render-erb.ts), and template text and output travel base64-encoded
 * inside them so bytes survive unchanged.
 *
 * Semantics follow bosh-cli's renderer (facts checked against the binary by
 * test/interop/rendering.test.ts, not its code): the property resolution order and merging,
 * p/if_p/else/else_if_p, `properties` and `spec` as OpenStructs, `name` = release job name,
 * `index`, ERB trim mode "-", JSON.dump of a String/Numeric = its #inspect, `if_link` false.
 * Links do not exist in a bootstrap manifest: `link` raises saying so.
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
require "ostruct"
require "stringio"

# YAML (psych) is loaded on first use: most templates never touch it and loading it costs as
# much as the rest of the setup. Psych's own Object#to_yaml replaces this stub when it loads.
autoload :YAML, "yaml"
autoload :Psych, "psych"
# bosh-cli's renderer runs with RubyGems loaded, so templates may use Gem::Version unrequired;
# here it loads when first named (eagerly it would double the boot, see ruby-vm.ts).
autoload :Gem, "rubygems"
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

  class PropertyConflict < StandardError
    def initialize(name, parent_name, parent)
      # The class, never the value: it may be a secret.
      super("Can't resolve property '" + name + "': property '" + parent_name + "' is a " + parent.class.name +
        " (from the job spec's default or the manifest), not a hash")
    end
  end

  class LinksUnsupported < StandardError
    def initialize(name)
      super("Can't find link '" + name.to_s + "': links are not supported by bootstrap; pass the values as job properties instead")
    end
  end

  # bosh-cli's templates see properties and spec as OpenStructs: same class, same to_h,
  # respond_to?, [] and each_pair, and members named like Object's methods (class, hash...).
  def self.open_struct(value)
    case value
    when Hash then OpenStruct.new(value.each_with_object({}) { |(key, item), out| out[key] = open_struct(item) })
    when Array then value.map { |item| open_struct(item) }
    else value
    end
  end

  # Deep merge in place: hashes merge key by key, anything else from "over" replaces. As in
  # bosh-cli, "base" is changed and may end up sharing objects with "over", which a template
  # can see through spec.global_properties.
  def self.merge_into(base, over)
    base.merge!(over) do |_key, old, new|
      old.class == Hash && new.class == Hash ? merge_into(old, new) : new
    end
  end

  # Walks a dotted name with [] as bosh-cli does, so a non-hash on the way behaves as there.
  def self.dig_dotted(source, name)
    name.split(".").each do |key|
      source = source[key]
      return nil if source.nil?
    end
    source
  end

  # One declared property into "resolved": the source's value when not nil, else the default.
  # Parents are created with ||= (nil and false become {}); the value is stored, not copied,
  # so a later, longer name (a.b.c after a.b) writes into the hash stored for the shorter
  # one — a default hash or the manifest's — which is how bosh-cli merges overlapping names.
  # A shorter name that resolved to a non-hash cannot hold a longer one: bosh-cli crashes
  # there with a bare TypeError/IndexError (or, for a string, edits it); we say which names.
  def self.assign_property(resolved, source, name, default)
    keys = name.split(".")
    parent = resolved
    keys[0..-2].each_with_index do |key, i|
      parent = (parent[key] ||= {})
      raise PropertyConflict.new(name, keys[0..i].join("."), parent) unless parent.is_a?(Hash)
    end
    value = dig_dotted(source, name)
    parent[keys[-1]] = value.nil? ? default : value
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
  end

  class InactiveElseBlock
    def else; end
    def else_if_p(*_names) = InactiveElseBlock.new
  end

  # The evaluation context of one template, built from bosh-cli's context hash (see
  # template-context.ts): properties resolved as bosh-cli resolves them, then spec over the
  # whole context, source hashes as the resolution left them.
  class EvaluationContext
    attr_reader :name, :index, :raw_properties

    def initialize(context)
      @name = context["job"]["name"]
      @index = context["index"]
      source = context["job_properties"]
      source = BootstrapTemplates.merge_into(context["global_properties"], context["cluster_properties"]) if source.nil?
      # default_properties arrives in Go's order (names sorted): defaults are applied in it.
      @raw_properties = {}
      context["default_properties"].each do |name, default|
        BootstrapTemplates.assign_property(@raw_properties, source, name, default)
      end
      @context = context
    end

    # Built on first use: an OpenStruct defines a method per member, which made building these
    # two most of a render's time, and most templates only call p().
    def properties
      @properties ||= BootstrapTemplates.open_struct(@raw_properties)
    end

    def spec
      @spec ||= BootstrapTemplates.open_struct(@context)
    end

    # What ejs templates get: the same resolution, as plain data.
    def resolved_json
      JSON.generate({ "properties" => @raw_properties, "spec" => @context })
    end

    def get_binding
      binding
    end

    def p(*args)
      names = Array(args[0])
      names.each do |name|
        value = BootstrapTemplates.dig_dotted(@raw_properties, name)
        return value unless value.nil?
      end
      return args[1] if args.length == 2
      raise UnknownProperty.new(names)
    end

    def if_p(*names)
      values = names.map do |name|
        value = BootstrapTemplates.dig_dotted(@raw_properties, name)
        return ActiveElseBlock.new(self) if value.nil?
        value
      end
      yield(*values)
      InactiveElseBlock.new
    end

    def link(name)
      raise LinksUnsupported.new(name)
    end

    # No links in a bootstrap manifest: false, as bosh-cli answers (so if if_link(...) and a
    # block without .else render as there).
    def if_link(_name)
      false
    end
  end

  module JSONDumpOfScalars
    def dump(obj, *rest)
      return obj.inspect if obj.is_a?(String) || obj.is_a?(Numeric)
      super
    end
  end
  JSON.singleton_class.prepend(JSONDumpOfScalars)

  def self.render_one(context, template)
    filename = template["name"]
    text = template["text_base64"].unpack1("m0").force_encoding(Encoding::UTF_8)
    erb = ERB.new(text, trim_mode: "-")
    erb.filename = filename
    { "output_base64" => [erb.result(EvaluationContext.new(context).get_binding)].pack("m0") }
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

  # (context_json, templates_json), each base64-encoded (render-erb.ts: the only way in without
  # the JS bridge) → {"templates": [outcome...], "resolved": json or error}.
  # Each template gets a fresh context (one template's changes never reach the next) with its
  # own spec.id, as bosh-cli runs one Ruby per template with a new UUID each time.
  RENDER_JOB = lambda do |context_base64, templates_base64|
    # Templates may print or warn; that must never reach the CLI's own output.
    $stdout = StringIO.new
    $stderr = StringIO.new
    context_json = context_base64.unpack1("m0").force_encoding(Encoding::UTF_8)
    templates_json = templates_base64.unpack1("m0").force_encoding(Encoding::UTF_8)
    outcomes = JSON.parse(templates_json).map do |template|
      context = JSON.parse(context_json)
      context["id"] = template["id"]
      render_one(context, template)
    end
    resolved = begin
      EvaluationContext.new(JSON.parse(context_json)).resolved_json
    rescue Exception
      nil # every template reported the same failure already
    end
    JSON.generate({ "templates" => outcomes, "resolved" => resolved })
  end
end

BootstrapTemplates::RENDER_JOB
`;
