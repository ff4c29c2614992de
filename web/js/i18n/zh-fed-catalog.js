// zh-fed-catalog.js - federation (catalog) UI strings; merged into zh.js.
export default {
};
