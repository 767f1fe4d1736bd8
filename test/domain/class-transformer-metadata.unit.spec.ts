import { expect } from 'chai';
import { Exclude, Expose, Transform, Type } from 'class-transformer';
import { BigIntField } from '../../src';
import { classTransformerMetadataReadable, hasClassTransformerMetadata } from '../../src/domain/class-transformer-metadata';

class Plain {
  constructor(readonly name: string) {}
  greet(): string {
    return `hello ${this.name}`;
  }
}

class PlainChild extends Plain {
  extra = 1;
}

class Inner {}
class WithType {
  @Type(() => Inner) inner!: Inner;
}
class WithDate {
  @Type(() => Date) at!: Date;
}
class WithTransform {
  @Transform(({ value }) => String(value)) code!: string;
}
class WithTransformToPlainOnly {
  @Transform(({ value }) => String(value), { toPlainOnly: true }) code!: string;
}
class WithExpose {
  @Expose({ name: 'full_name' }) fullName!: string;
}
class WithExclude {
  @Exclude() secret!: string;
}
@Exclude()
class WithClassExclude {}
@Expose()
class WithClassExpose {}
class WithBigInt {
  @BigIntField() amount!: bigint;
}

class ChildOfDecorated extends WithType {
  plain = 'no decorator here';
}
class GrandchildOfDecorated extends ChildOfDecorated {}

describe('class-transformer metadata', () => {
  it("reads class-transformer's metadata storage (this fails when a new class-transformer moves it)", () => {
    expect(classTransformerMetadataReadable()).to.equal(true);
  });

  it('finds none on classes without class-transformer decorators, their own or inherited', () => {
    expect(hasClassTransformerMetadata(Plain)).to.equal(false);
    expect(hasClassTransformerMetadata(PlainChild)).to.equal(false);
    expect(hasClassTransformerMetadata(class {})).to.equal(false);
  });

  it('finds every kind of class-transformer decorator, on properties and on the class', () => {
    for (const cls of [WithType, WithDate, WithTransform, WithTransformToPlainOnly, WithExpose, WithExclude, WithClassExclude, WithClassExpose, WithBigInt]) {
      expect(hasClassTransformerMetadata(cls), cls.name).to.equal(true);
    }
  });

  it('finds the metadata of base classes', () => {
    expect(hasClassTransformerMetadata(ChildOfDecorated)).to.equal(true);
    expect(hasClassTransformerMetadata(GrandchildOfDecorated)).to.equal(true);
  });

  it('sees a decorator applied after the class was first looked at', () => {
    class Late {
      value = 1;
    }
    expect(hasClassTransformerMetadata(Late)).to.equal(false);
    Type(() => Inner)(Late.prototype, 'value');
    expect(hasClassTransformerMetadata(Late)).to.equal(true);
  });

  it('counts a class with a hand-made prototype chain as decorated, to be safe', () => {
    function Odd(): void {}
    Odd.prototype = { constructor: undefined };
    expect(hasClassTransformerMetadata(Odd)).to.equal(true);
  });
});
