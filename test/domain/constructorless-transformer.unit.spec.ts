import { expect } from 'chai';
import { Exclude, Expose, plainToInstance, Transform, Type } from 'class-transformer';
import {
  buildsWithoutConstructor,
  constructorlessTransformerAvailable,
  plainIntoInstance,
  plainToNewInstance,
} from '../../src/domain/constructorless-transformer';

let calls = 0;

abstract class Shape {
  constructor() {
    calls++;
  }
}
class Circle extends Shape {
  kind = 'circle';
  radius!: number;
}
class Square extends Shape {
  kind = 'square';
  side!: number;
}

class Label {
  constructor(readonly text: string) {
    calls++;
  }
}

class Drawing {
  @Expose({ name: 'drawing_name' }) name!: string;
  @Exclude() secret?: string;
  @Transform(({ value }) => String(value).toUpperCase(), { toClassOnly: true }) code!: string;
  @Type(() => Shape, { discriminator: { property: 'kind', subTypes: [{ value: Circle, name: 'circle' }, { value: Square, name: 'square' }] }, keepDiscriminatorProperty: true })
  shapes!: Shape[];
  @Type(() => Label) labels!: Map<string, Label>;
  @Type(() => Label) tags!: Set<Label>;
  @Type(() => Date) at!: Date;

  constructor() {
    calls++;
  }
}

const data = () => ({
  drawing_name: 'plan',
  secret: 'hidden',
  code: 'ab',
  shapes: [{ kind: 'circle', radius: 2 }, { kind: 'square', side: 3 }],
  labels: { north: { text: 'N' } },
  tags: [{ text: 't' }],
  at: '2026-11-29T10:11:12.345Z',
});

describe('class-transformer without constructors', () => {
  it('works with the installed class-transformer (otherwise constructors would run again)', () => {
    expect(constructorlessTransformerAvailable()).to.equal(true);
  });

  it('builds what plainToInstance builds, decorators included, with no constructor called', () => {
    calls = 0;
    const built = plainToNewInstance(Drawing, data());
    expect(calls).to.equal(0);
    const reference = plainToInstance(Drawing, data());
    expect(calls, 'plainToInstance calls them').to.be.above(0);

    expect(built).to.be.instanceOf(Drawing);
    expect(built).to.include({ name: 'plan', code: 'AB' });
    expect(built.secret).to.equal(undefined);
    expect(built.shapes[0]).to.be.instanceOf(Circle).and.to.include({ radius: 2, kind: 'circle' });
    expect(built.shapes[1]).to.be.instanceOf(Square).and.to.include({ side: 3, kind: 'square' });
    expect(built.labels).to.be.instanceOf(Map);
    expect(built.labels.get('north')).to.be.instanceOf(Label).and.to.include({ text: 'N' });
    expect([...built.tags][0]).to.be.instanceOf(Label);
    expect(built.at.getTime()).to.equal(new Date('2026-11-29T10:11:12.345Z').getTime());
    expect(JSON.stringify(built)).to.equal(JSON.stringify(reference));
  });

  it('fills a given instance at the top, and builds nested ones without their constructors', () => {
    const target = new Drawing();
    calls = 0;
    const filled = plainIntoInstance(Drawing, target, data());
    expect(filled).to.equal(target);
    expect(calls).to.equal(0);
    expect(filled.shapes[0]).to.be.instanceOf(Circle);
  });

  it('calls the constructor of classes that extend a built-in type, which need it', () => {
    class Registry extends Map<string, number> {}
    class Holder {
      @Type(() => Registry) registry!: Registry;
    }
    expect(buildsWithoutConstructor(Holder)).to.equal(true);
    expect(buildsWithoutConstructor(Registry)).to.equal(false);
    expect(buildsWithoutConstructor(Map)).to.equal(false);
    const built = plainToNewInstance(Holder, { registry: { a: 1 } });
    expect(built.registry).to.be.instanceOf(Registry);
  });
});
