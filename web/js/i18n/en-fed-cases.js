// en-fed-cases.js - federation (cases) UI strings; merged into en.js.
export default {
};
